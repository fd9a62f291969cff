// Rapport web forms, embedded in another site.
//
// On the embedding page: every element with data-rapport-form="<hosted form URL>" gets an
// iframe of that form. The iframe's URL carries the page's language (data-lang or <html lang>),
// its UTM parameters and the visitor's referrer, which the form records with the submission.
// The iframe grows to the form's height when the form reports it.
//
// Inside the hosted form (body[data-rapport-hosted]): reports the page's height to the
// embedding page, so that the iframe needs no scroll bar.
(function () {
  "use strict";

  var UTM = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"];
  var MESSAGE = "rapport-webform-height";

  function reportHeight() {
    if (window.parent === window) {
      return;
    }
    var height = document.documentElement.scrollHeight;
    window.parent.postMessage({ type: MESSAGE, height: height }, "*");
  }

  function frameUrl(base, host) {
    var url = new URL(base, window.location.href);
    var lang = host.getAttribute("data-lang") || document.documentElement.lang || "";
    if (lang && !url.searchParams.has("lang")) {
      url.searchParams.set("lang", lang.toLowerCase());
    }
    var page = new URLSearchParams(window.location.search);
    UTM.forEach(function (key) {
      var value = page.get(key);
      if (value && !url.searchParams.has(key)) {
        url.searchParams.set(key, value);
      }
    });
    url.searchParams.set("ref", document.referrer || window.location.href);
    return url;
  }

  function embed(host) {
    if (host.getAttribute("data-rapport-embedded")) {
      return;
    }
    var url = frameUrl(host.getAttribute("data-rapport-form"), host);
    var frame = document.createElement("iframe");
    frame.src = url.toString();
    frame.title = host.getAttribute("data-title") || "Form";
    frame.loading = "lazy";
    frame.width = "100%";
    frame.height = host.getAttribute("data-height") || "640";
    frame.setAttribute("frameborder", "0");
    host.appendChild(frame);
    host.setAttribute("data-rapport-embedded", "1");
    window.addEventListener("message", function (event) {
      // Only the form's own origin may resize its frame.
      if (event.origin !== url.origin || event.source !== frame.contentWindow) {
        return;
      }
      var data = event.data || {};
      if (data.type === MESSAGE && typeof data.height === "number" && data.height > 0) {
        frame.height = String(Math.min(Math.ceil(data.height), 10000));
      }
    });
  }

  function start() {
    if (document.body && document.body.hasAttribute("data-rapport-hosted")) {
      reportHeight();
      window.addEventListener("resize", reportHeight);
      return;
    }
    var hosts = document.querySelectorAll("[data-rapport-form]");
    for (var i = 0; i < hosts.length; i += 1) {
      embed(hosts[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
