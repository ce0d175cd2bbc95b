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
        // About 100 metres is plenty to find the nearest place, and says
        // less about exactly where someone lives. The position goes in a
        // POST body; the box gets the place's name, never coordinates.
        const body = new URLSearchParams({
          lat: pos.coords.latitude.toFixed(3),
          lon: pos.coords.longitude.toFixed(3),
        });
        fetch("/place", { method: "POST", body, credentials: "same-origin" })
          .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
          .then((p) => {
            where.value = p.where;
            locStatus.textContent = `We found you near ${p.name}. Change it if that is not right.`;
            where.focus();
          })
          .catch(() => {
            locStatus.textContent = "We could not find a place near you. Type your postcode or town instead.";
            where.focus();
          });
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
