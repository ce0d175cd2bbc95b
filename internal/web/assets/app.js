// Enhancements for people with JavaScript: GOV.UK Frontend's components,
// "Use my location" on the search form and a print button on the list.
// Every page works without this file.
import { initAll } from "./govuk-frontend.min.js";

initAll();

const where = document.getElementById("where");
const locWrap = document.getElementById("use-location-wrap");
const locButton = document.getElementById("use-location");
const locStatus = document.getElementById("use-location-status");
if (where && locWrap && locButton && locStatus && "geolocation" in navigator) {
  locWrap.classList.remove("app-hidden");
  locButton.addEventListener("click", () => {
    locStatus.textContent = "Finding your location…";
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        // About 100 metres is plenty to find providers, and says less about
        // exactly where someone lives.
        const lat = pos.coords.latitude.toFixed(3);
        const lon = pos.coords.longitude.toFixed(3);
        where.value = `${lat},${lon}`;
        locStatus.textContent = "Your location has been filled in. It is sent only when you choose Show providers.";
        where.focus();
      },
      () => {
        locStatus.textContent = "We could not get your location. Type your postcode or town instead.";
        where.focus();
      },
      { maximumAge: 600000, timeout: 15000 },
    );
  });
}

const printWrap = document.getElementById("print-wrap");
const printButton = document.getElementById("print-button");
if (printWrap && printButton) {
  printWrap.classList.remove("app-hidden");
  printButton.addEventListener("click", () => window.print());
}
