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
