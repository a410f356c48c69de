// Starts GOV.UK Frontend and MOJ Frontend components on every page.
import { initAll as initGovuk } from "../vendor/govuk-frontend/govuk-frontend.min.js";
import { initAll as initMoj } from "../vendor/moj-frontend/moj-frontend.min.js";

initGovuk();
initMoj();

// Status pages for long work (imports, reports) reload themselves while the
// work runs. Done here, not with <meta http-equiv="refresh">, so the page can
// offer a link to stop it and nothing runs without JavaScript but a link.
const refresh = document.querySelector("[data-app-refresh-seconds]");
if (refresh) {
  const seconds = Number(refresh.dataset.appRefreshSeconds) || 5;
  window.setTimeout(() => window.location.reload(), seconds * 1000);
}

// A wide table scrolls sideways in its own box on a narrow screen
// (.app-table-scroll). While it does, the box can be reached and scrolled
// with the keyboard, and is named by the table's caption; when the table
// fits, the box is no extra stop for the keyboard.
const scrollBoxes = document.querySelectorAll(".app-table-scroll");
function markScrollBoxes() {
  scrollBoxes.forEach((box) => {
    if (box.scrollWidth > box.clientWidth) {
      const caption = box.querySelector("caption");
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  });
}
if (scrollBoxes.length) {
  markScrollBoxes();
  window.addEventListener("resize", markScrollBoxes);
}
