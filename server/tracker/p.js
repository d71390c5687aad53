// PagePulse tracker: one pageview per page (SPA navigations included) and
// window.pagepulse(name, props) for custom events. No cookies, no storage, nothing
// read from the visitor's device but the page URL, the referrer and the window
// width. Minified at build time (make tracker); the result must stay <= 1024 bytes.
((w, d) => {
  var script = d.currentScript;
  if (!script) return;
  var site = script.getAttribute("data-site");
  // Beacons go to the origin the script came from, so it works cross-origin.
  var endpoint = new URL(script.src).origin + "/api/v1/event";
  var loc = w.location;
  var nav = w.navigator;
  var history = w.history;
  var push = history.pushState;
  var lastPath;
  // Local pages, files and automated browsers are never counted.
  var off = /^(localhost|127\.|\[::1\]$)/.test(loc.hostname) || loc.protocol == "file:" || nav.webdriver;

  var send = (name, props) => {
    if (off) return;
    var body = JSON.stringify({ s: site, u: loc.href, r: d.referrer, w: w.innerWidth, n: name, p: props });
    // A string body is sent as text/plain: a "simple" request, so no CORS preflight.
    if (!(nav.sendBeacon && nav.sendBeacon(endpoint, body))) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", endpoint);
      xhr.send(body);
    }
  };

  var pageview = () => {
    if (lastPath != loc.pathname) {
      lastPath = loc.pathname;
      send("pageview");
    }
  };

  history.pushState = function () {
    push.apply(this, arguments);
    pageview();
  };
  w.addEventListener("popstate", pageview);

  // pagepulse("Signup", {plan: "pro"}) or Plausible's pagepulse("Signup", {props: {...}}).
  w.pagepulse = (name, options) => send(name, (options && options.props) || options);

  // A prerendered page counts once the visitor actually sees it (the event fires once).
  if (d.prerendering) d.addEventListener("prerenderingchange", pageview);
  else pageview();
})(window, document);
