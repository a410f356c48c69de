// Starts GOV.UK Frontend and MOJ Frontend components on every page.
import { initAll as initGovuk } from "../vendor/govuk-frontend/govuk-frontend.min.js";
import { initAll as initMoj } from "../vendor/moj-frontend/moj-frontend.min.js";

initGovuk();
initMoj();

// Status pages for long work (imports, reports) check on it while it runs:
// the page is fetched again in the background, and only its status region
// (data-app-refresh-region, a role="status" live region) is brought up to
// date, so focus and the reading place stay where the person left them
// (found by the keyboard review: reloading the whole page every few seconds
// threw focus back to the top, and the link to stop it could not be reached
// in time). Once the work is over, the region says so and links to the
// result. Without JavaScript, nothing runs but a link.
const refresh = document.querySelector("[data-app-refresh-seconds]");
const region = document.querySelector("[data-app-refresh-region]");
if (refresh && region) {
  const seconds = Number(refresh.dataset.appRefreshSeconds) || 5;
  const done = refresh.dataset.appRefreshDone || "It has finished.";
  const check = async () => {
    let page;
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      if (response.redirected) {
        // Sent elsewhere (signed out, say): go there, as a reload would.
        window.location.assign(response.url);
        return;
      }
      if (!response.ok) throw new Error(String(response.status));
      page = new DOMParser().parseFromString(await response.text(), "text/html");
    } catch {
      window.setTimeout(check, seconds * 2000); // the service busy: ask less often
      return;
    }
    const fresh = page.querySelector("[data-app-refresh-region]");
    if (fresh && page.querySelector("[data-app-refresh-seconds]")) {
      if (fresh.innerHTML !== region.innerHTML) region.innerHTML = fresh.innerHTML;
      window.setTimeout(check, seconds * 1000);
      return;
    }
    const said = document.createElement("p");
    said.className = "govuk-body";
    said.append(`${done} `);
    const link = document.createElement("a");
    link.className = "govuk-link";
    link.href = window.location.pathname;
    link.textContent = "See the result";
    said.append(link);
    region.replaceChildren(said);
    document.querySelectorAll("[data-app-refresh-stop]").forEach((stop) => stop.remove());
  };
  window.setTimeout(check, seconds * 1000);
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

// The warning before a session ends (templates/_timeout_dialog.html; WCAG
// 2.2.1). The page knows how long its session had left when it was drawn;
// before warning, it asks the server again (accounts.views.session_clock, a
// GET that does not count as work), as another tab may have kept the session
// going. "Stay signed in" (a POST) restarts the idle clock; nothing on the
// page is lost. When the time is up, the sign-in page says why.
const timeoutDialog = document.getElementById("app-timeout-dialog");
if (timeoutDialog && typeof timeoutDialog.showModal === "function") {
  startSessionClock(timeoutDialog);
}

function startSessionClock(dialog) {
  const data = dialog.dataset;
  const warnSeconds = Number(data.appWarnSeconds);
  const token = document.querySelector("#app-sign-out [name=csrfmiddlewaretoken]");
  const countdowns = dialog.querySelectorAll("[data-app-timeout-countdown]");
  const announce = dialog.querySelector("[data-app-timeout-announce]");
  let signOutAt = 0;
  let planned = 0;
  let ticking = 0;
  let lastAnnounced = "";
  let returnFocus = null;

  function inWords(seconds) {
    if (seconds >= 60) {
      const minutes = Math.ceil(seconds / 60);
      return `${minutes} minute${minutes === 1 ? "" : "s"}`;
    }
    return `${seconds} second${seconds === 1 ? "" : "s"}`;
  }

  function plan(clock) {
    const idle = clock.idle_seconds_left;
    const absolute = clock.absolute_seconds_left;
    const left = Math.min(idle, absolute);
    dialog.querySelectorAll("[data-app-timeout-when]").forEach((element) => {
      element.hidden = element.dataset.appTimeoutWhen !== (absolute <= idle ? "absolute" : "idle");
    });
    signOutAt = Date.now() + left * 1000;
    window.clearTimeout(planned);
    // Inside the warning the countdown asks again (tick); before it, one timer.
    if (left > warnSeconds) planned = window.setTimeout(check, (left - warnSeconds) * 1000);
    return left;
  }

  async function ask(method) {
    const headers = method === "POST" && token ? { "X-CSRFToken": token.value } : {};
    const response = await fetch(data.appSessionClock, {
      method,
      headers,
      credentials: "same-origin",
      cache: "no-store",
    });
    if (!response.ok) throw new Error(`session clock: ${response.status}`);
    return response.json();
  }

  function signedOut() {
    const here = window.location.pathname + window.location.search;
    // As Django writes it when it sends someone to sign in: slashes kept.
    const next = encodeURIComponent(here).replace(/%2F/g, "/");
    window.location.assign(`${data.appSignIn}?next=${next}`);
  }

  async function check() {
    let clock = null;
    try {
      clock = await ask("GET");
    } catch {
      // The server did not answer: count down from what the page knew.
    }
    if (clock && !clock.signed_in) return signedOut();
    const left = clock ? plan(clock) : secondsLeft();
    if (left > warnSeconds) return close();
    if (left <= 0) return signedOut();
    open();
  }

  function secondsLeft() {
    return Math.max(0, Math.round((signOutAt - Date.now()) / 1000));
  }

  // Read out each new minute, then at 30 and 10 seconds: not every second.
  function moment(left) {
    if (left >= 60) return inWords(left);
    if (left <= 10) return "10";
    return left <= 30 ? "30" : "";
  }

  function tick() {
    const left = secondsLeft();
    const words = inWords(left);
    countdowns.forEach((element) => {
      element.textContent = words;
    });
    if (moment(left) && moment(left) !== lastAnnounced && left > 0) {
      lastAnnounced = moment(left);
      announce.textContent = `We will sign you out in ${words}.`;
    }
    // Ask again every 15 seconds, and when the time is up.
    if (left <= 0 || left % 15 === 0) check();
  }

  function open() {
    if (dialog.open) return;
    returnFocus = document.activeElement;
    // Opening reads the message out (aria-describedby): not again at once.
    lastAnnounced = moment(secondsLeft());
    tick();
    dialog.showModal();
    ticking = window.setInterval(tick, 1000);
  }

  function close() {
    window.clearInterval(ticking);
    announce.textContent = "";
    if (!dialog.open) return;
    dialog.close();
    if (returnFocus && typeof returnFocus.focus === "function") returnFocus.focus();
  }

  async function stay() {
    try {
      const clock = await ask("POST");
      if (!clock.signed_in) return signedOut();
      const left = plan(clock);
      close();
      // Only the 12 hours are left, and nothing makes them longer: "Continue"
      // closes the warning until they are up.
      if (left <= warnSeconds) planned = window.setTimeout(check, left * 1000);
    } catch {
      check();
    }
  }

  dialog.querySelectorAll("[data-app-timeout-stay]").forEach((button) => {
    button.addEventListener("click", stay);
  });
  // Escape means "stay signed in", as the buttons do, not "sign me out".
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    stay();
  });
  const left = plan({
    idle_seconds_left: Number(data.appIdleSeconds),
    absolute_seconds_left: Number(data.appAbsoluteSeconds),
  });
  // A page drawn inside the warning's minutes (opened near the end of the
  // 12 hours) warns at once: plan() sets a timer only for a warning to come,
  // so it never warned (found when a slow CI machine drew the page late).
  if (left <= warnSeconds) check();
}
