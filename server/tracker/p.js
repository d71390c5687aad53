// PagePulse tracker: one pageview per page (SPA navigations included) and
// window.pagepulse(name, props) for custom events. No cookies, no storage, nothing
// read from the visitor's device but the page URL, the referrer and the window
// width. Minified at build time (make tracker); the result must stay <= 1024 bytes.
(function (w, d) {
  var script = d.currentScript;
  if (!script) return;
  var site = script.getAttribute("data-site");
  // Beacons go to the origin the script came from, so it works cross-origin.
  var endpoint = script.getAttribute("data-api") || new URL(script.src).origin + "/api/v1/event";
  var loc = w.location;
  var nav = w.navigator;
  var lastPath;

  function ignored() {
    return (
      /^(localhost|127\.|\[::1\]$)/.test(loc.hostname) ||
      loc.protocol === "file:" ||
      nav.webdriver ||
      d.prerendering
    );
  }

  function send(name, props) {
    if (ignored()) return;
    var body = JSON.stringify({ s: site, u: loc.href, r: d.referrer || null, w: w.innerWidth, n: name, p: props });
    // A string body makes sendBeacon use text/plain: no CORS preflight.
    if (nav.sendBeacon && nav.sendBeacon(endpoint, body)) return;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", endpoint, true);
    xhr.setRequestHeader("Content-Type", "text/plain");
    xhr.send(body);
  }

  function pageview() {
    if (lastPath === loc.pathname) return;
    lastPath = loc.pathname;
    send("pageview");
  }

  var push = w.history.pushState;
  if (push) {
    w.history.pushState = function () {
      push.apply(this, arguments);
      pageview();
    };
    w.addEventListener("popstate", pageview);
  }

  w.pagepulse = function (name, options) {
    send(name, (options && options.props) || options);
  };

  if (d.prerendering) d.addEventListener("prerenderingchange", pageview, { once: true });
  else pageview();
})(window, document);
