// brokerfinder listing snippet. Include it on any page:
//
//   <div data-brokerfinder-provider="PROVIDER-ID"></div>
//   <div data-brokerfinder-near="LS6"></div>
//   <script src="https://FINDER-HOST/embed.js" async></script>
//
// Each element gets a card drawn inside its own Shadow DOM, so the host
// page's CSS cannot change it and ours cannot leak out. Data comes from the
// public API on the script's own origin and is written with textContent
// only, never as HTML.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var origin = new URL(script.src).origin;

  var css =
    ":host{all:initial;display:block;contain:content}" +
    ".card{font-family:arial,sans-serif;font-size:16px;line-height:1.4;color:#0b0c0c;background:#fff;" +
    "border:1px solid #b1b4b6;border-left:5px solid #1d70b8;padding:12px 16px;margin:0 0 12px;max-width:40em}" +
    "h2{font-size:19px;font-weight:700;margin:0 0 4px}" +
    "p{margin:0 0 8px}ul{margin:0 0 8px;padding:0 0 0 20px}" +
    "a{color:#1d70b8;text-decoration:underline;text-underline-offset:.15em}" +
    "a:visited{color:#4c2c92}a:hover{color:#003078;text-decoration-thickness:3px}" +
    "a:focus{outline:3px solid transparent;color:#0b0c0c;background:#fd0;box-shadow:0 -2px #fd0,0 4px #0b0c0c;text-decoration:none}" +
    ".tag{display:inline-block;background:#fcd6c3;color:#6e3619;padding:2px 6px;margin:0 4px 4px 0;font-size:14px}" +
    ".small{font-size:14px;color:#484949}";

  var sheet = null;
  function style(root) {
    if ("adoptedStyleSheets" in root && typeof CSSStyleSheet === "function") {
      try {
        if (!sheet) {
          sheet = new CSSStyleSheet();
          sheet.replaceSync(css);
        }
        root.adoptedStyleSheets = [sheet];
        return;
      } catch (e) {
        // Fall back to a style element below.
      }
    }
    var s = document.createElement("style");
    s.textContent = css;
    root.appendChild(s);
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function slug(name) {
    return String(name).toLowerCase().replace(/['\u2019]/g, "").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  }

  function link(p) {
    var a = el("a", p.name);
    var s = slug(p.name);
    a.href = origin + "/providers/" + (s ? s + "-" : "") + encodeURIComponent(p.id);
    a.target = "_blank";
    a.rel = "noopener";
    a.appendChild(el("span", " (opens in new tab)", "small"));
    return a;
  }

  var modeLabels = {
    office: "At their office", jobcentre: "At the Jobcentre", home_visits: "Home visits",
    outreach: "Community venues", telephone: "By telephone", online: "Online",
    group_sessions: "Group sessions", one_to_one: "One to one"
  };

  // card draws one provider. flags, from a search, are the server's own
  // plain-English warnings; a single provider's record has none, so the two
  // that matter most are worked out here.
  function card(p, flags) {
    var c = el("div", null, "card");
    var h = el("h2");
    h.appendChild(link(p));
    c.appendChild(h);
    var modes = (p.delivery_modes || []).map(function (m) { return modeLabels[m] || m; });
    var remote = modes.length > 0 && (p.delivery_modes || []).every(function (m) {
      return m === "telephone" || m === "online" || m === "group_sessions" || m === "one_to_one";
    });
    if (flags) {
      flags.forEach(function (f) { c.appendChild(el("span", f.text, "tag")); });
    } else {
      if (remote) c.appendChild(el("span", "Telephone only: you will not meet them in person", "tag"));
      if (p.capacity && !p.capacity.taking_new_clients) c.appendChild(el("span", "Not taking new clients at the moment", "tag"));
    }
    if (p.summary) c.appendChild(el("p", p.summary));
    if (modes.length) c.appendChild(el("p", "How you meet them: " + modes.join(", ")));
    if (p.contact && p.contact.phone) c.appendChild(el("p", "Phone: " + p.contact.phone));
    var checked = p.freshness ? p.freshness.last_verified : p.last_verified;
    if (checked) c.appendChild(el("p", "Information last checked: " + checked, "small"));
    return c;
  }

  function mount(host) {
    if (host.shadowRoot || host.getAttribute("data-brokerfinder-done")) return null;
    host.setAttribute("data-brokerfinder-done", "1");
    var root = host.attachShadow({ mode: "open" });
    style(root);
    var region = el("section");
    region.setAttribute("aria-label", "Employment support listing");
    root.appendChild(region);
    return region;
  }

  function fail(region) {
    region.textContent = "";
    var c = el("div", null, "card");
    var a = el("a", "Find employment support near you");
    a.href = origin + "/";
    a.target = "_blank";
    a.rel = "noopener";
    c.appendChild(a);
    region.appendChild(c);
  }

  function getJSON(path) {
    return fetch(origin + path, { credentials: "omit", referrerPolicy: "no-referrer" }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }

  function render() {
    var ones = document.querySelectorAll("[data-brokerfinder-provider]");
    Array.prototype.forEach.call(ones, function (host) {
      var region = mount(host);
      if (!region) return;
      getJSON("/v1/providers/" + encodeURIComponent(host.getAttribute("data-brokerfinder-provider")))
        .then(function (p) { region.appendChild(card(p)); })
        .catch(function () { fail(region); });
    });
    var areas = document.querySelectorAll("[data-brokerfinder-near]");
    Array.prototype.forEach.call(areas, function (host) {
      var region = mount(host);
      if (!region) return;
      var near = host.getAttribute("data-brokerfinder-near");
      getJSON("/v1/search?type=job_broker&per_page=5&near=" + encodeURIComponent(near))
        .then(function (res) {
          region.appendChild(el("p", "Job Brokers covering " + near + ": " + res.total));
          (res.items || []).forEach(function (it) { region.appendChild(card(it.provider, it.flags || [])); });
          var more = el("a", "See every provider and how each matches what you want");
          more.href = origin + "/";
          more.target = "_blank";
          more.rel = "noopener";
          region.appendChild(el("p")).appendChild(more);
        })
        .catch(function () { fail(region); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
})();
