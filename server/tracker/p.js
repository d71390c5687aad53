// PagePulse tracker, one source for every script the server hands out:
//
// - /js/p.js: ours. Reads data-site, posts to /api/v1/event, and offers
//   window.pagepulse(name, props) for custom events.
// - /js/script.js, /js/plausible.js and their /js/script.<modifiers>.js forms:
//   Plausible's snippets, unchanged but for the host. Read data-domain and
//   data-api, post Plausible's wire format to /api/event, offer
//   window.plausible(name, {props, revenue, interactive, callback, u}).
//
// The upper-case names are compile-time switches: the build (build.mjs) sets
// them with esbuild's define and drops the code they turn off, so each script
// carries only what its name asks for. Without a build the server wraps this
// file in a function that declares them as constants, so it must stay valid
// JavaScript with them as plain identifiers. PLAUSIBLE picks the
// Plausible-compatible form; ENGAGEMENT adds Plausible's engagement events
// where they fit the size budget; the others are Plausible's modifiers
// (outbound-links is OUTBOUND_LINKS).
//
// Code a switch turns off lives in `if (SWITCH) { ... }` blocks or behind
// `SWITCH && ...`, declared with let: esbuild drops such a block whole, while a
// `var` in it would leave its name behind. Every byte counts here (p.js must
// stay within 700, each variant within 2,048), which explains the terse spots.
//
// No cookies, no storage, nothing read from the visitor's device but the page
// URL, the referrer, the window width and, for engagement events, how far
// down the page was seen and for how long it was in front.
((w, d) => {
  var script = d.currentScript;
  if (!script) return;
  var attr = (name) => script.getAttribute(name);
  var on = (target, type, listener) => target.addEventListener(type, listener);
  var loc = w.location;
  var history = w.history;
  var push = history.pushState;
  var site = attr(PLAUSIBLE ? "data-domain" : "data-site");
  // Beacons go to the origin the script came from, so it works cross-origin;
  // Plausible's data-api names another endpoint (a proxy, say).
  var endpoint =
    (PLAUSIBLE && attr("data-api")) || new URL(script.src).origin + (PLAUSIBLE ? "/api/event" : "/api/v1/event");
  // Local pages and files are counted only by the `local` variant; automated
  // browsers never are.
  var off = (!LOCAL && (/^(localhost|127\.|\[::1\]$)/.test(loc.hostname) || loc.protocol == "file:")) || w.navigator.webdriver;
  var lastPage, send;

  if (PLAUSIBLE) {
    // A string body goes as text/plain: a "simple" request, so no CORS
    // preflight. keepalive (like sendBeacon) lets it outlive the page, so a click
    // that navigates away is never held back to get its event out.
    let post = (body, callback) =>
      fetch(endpoint, { method: "POST", body: JSON.stringify(body), keepalive: true })
        .then(
          (response) => ({ status: response.status }),
          (error) => ({ error }),
        )
        .then(callback);

    // Engagement, as Plausible measures it: the current page's pageview (which
    // its engagement events repeat), the largest share of the page seen and
    // the share last reported, and the engaged time: `banked` ms plus the
    // stretch running since `since` (0 while the page is hidden or unfocused).
    let page, seen, reported, banked;
    let since = 0;
    let now = ENGAGEMENT && (() => Date.now());
    let measure =
      ENGAGEMENT && (() => (seen = Math.max(seen, (w.scrollY + w.innerHeight) / d.documentElement.scrollHeight)));
    // A page's first engagement event always goes; later ones only once the
    // visitor has seen more of it or spent 3 s more with it.
    let engage =
      ENGAGEMENT &&
      (() => {
        let e = banked + (since && now() - since);
        if (page && (seen > reported || e >= 3e3)) {
          reported = seen;
          banked = 0;
          since &&= now();
          post({ ...page, n: "engagement", sd: Math.round(Math.min(seen, 1) * 100), e });
        }
      });

    // Plausible's path globs, comma-separated: `*` within a segment, `**`
    // across segments, the trailing slash optional. `none` when the attribute
    // is absent.
    let matches =
      EXCLUSIONS &&
      ((name, none) =>
        attr(name)
          ?.split(",")
          .some((glob) =>
            RegExp("^" + glob.trim().replace(/\*\*?/g, (m) => (m[1] ? ".*" : "[^/]*")) + "/?$").test(loc.pathname),
          ) ?? none);

    send = (name, o = {}) => {
      let pageview = name == "pageview";
      if (ENGAGEMENT && pageview) {
        // The page being left gets its engagement before the next one counts.
        engage();
        page = 0;
      }
      // Only pageviews are excluded: events on an excluded page still count.
      if (off || (EXCLUSIONS && pageview && (!matches("data-include", 1) || matches("data-exclude")))) {
        return o.callback?.();
      }
      let props = o.props;
      if (PAGEVIEW_PROPS) {
        // event-<key>="value" on the script tag: on every event, the call's own
        // props winning.
        props = {};
        for (let a of script.attributes) if (/^event-/.test(a.name)) props[a.name.slice(6)] = a.value;
        props = { ...props, ...o.props };
      }
      // What is undefined stays out of the JSON. `i` is false only when asked
      // for: a non-interactive event does not end a bounce.
      let body = {
        n: name,
        u: o.u || o.url || loc.href,
        d: site,
        r: d.referrer,
        w: w.innerWidth,
        p: props,
        i: o.interactive !== false && undefined,
      };
      if (HASH) body.h = 1;
      if (REVENUE) body.$ = o.revenue;
      post(body, o.callback);
      if (ENGAGEMENT && pageview) {
        page = body;
        reported = -1;
        seen = banked = 0;
        measure();
        since &&= now();
      }
    };

    if (TAGGED_EVENTS || OUTBOUND_LINKS || FILE_DOWNLOADS) {
      // class="plausible-event-name=Signup+Click plausible-event-plan=pro", or
      // `--` for `=` where a CMS strips it; `+` stands for a space. With revenue,
      // plausible-revenue-amount=… and plausible-revenue-currency=… as well.
      let tagged =
        TAGGED_EVENTS &&
        ((element) => {
          let found = { event: {}, revenue: {} };
          for (let c of element.classList)
            c.replace(
              /^plausible-(event|revenue)-(.+?)(?:=|--)(.+)/,
              (_, kind, key, value) => (found[kind][key] = value.replace(/\+/g, " ")),
            );
          let { name, ...props } = found.event;
          send(name, REVENUE ? { props, revenue: found.revenue.currency && found.revenue } : { props });
        });
      // Plausible's list; file-types replaces it.
      let types =
        FILE_DOWNLOADS &&
        (
          attr("file-types") ||
          "pdf,xlsx,docx,txt,rtf,csv,exe,key,pps,ppt,pptx,7z,pkg,rar,gz,zip,avi,mov,mp4,mpeg,wmv,midi,mp3,wav,wma,dmg"
        ).split(",");
      // Clicks (a middle click opens a tab and counts; the other buttons' do
      // not) and, for tagged forms, submits (not the clicks on their buttons).
      let handle = (e) => {
        let target = e.target;
        let element = TAGGED_EVENTS && target.closest?.("[class*=plausible-event-name]");
        let link = target.closest?.("a");
        let url = link?.origin + link?.pathname;
        if (e.button > 1);
        else if (element && (element.tagName == "FORM") == (e.type == "submit")) tagged(element);
        // An SVG link has no host; mailto: and javascript: have an empty one.
        else if (!link?.host);
        else if (FILE_DOWNLOADS && types.includes(url.split(".").pop())) send("File Download", { props: { url } });
        else if (OUTBOUND_LINKS && link.host != loc.host) send("Outbound Link: Click", { props: { url: link.href } });
      };
      on(d, "click", handle);
      on(d, "auxclick", handle);
      if (TAGGED_EVENTS) on(d, "submit", handle);
    }

    if (ENGAGEMENT) {
      let focus = () => {
        if (!d.hidden && d.hasFocus()) since ||= now();
        else {
          banked += since && now() - since;
          since = 0;
          engage();
        }
      };
      on(d, "visibilitychange", focus);
      on(w, "focus", focus);
      on(w, "blur", focus);
      // Leaving the page: visibilitychange may come too late, or not at all.
      on(w, "pagehide", engage);
      on(w, "scroll", measure);
      focus();
    }
  } else {
    send = (name, props) => {
      if (off) return;
      var body = JSON.stringify({ s: site, u: loc.href, r: d.referrer, w: w.innerWidth, n: name, p: props });
      // A string body is sent as text/plain: a "simple" request, so no CORS preflight.
      if (!w.navigator.sendBeacon?.(endpoint, body)) {
        var xhr = new XMLHttpRequest();
        xhr.open("POST", endpoint);
        xhr.send(body);
      }
    };
    // pagepulse("Signup", {plan: "pro"}) or Plausible's pagepulse("Signup", {props: {...}}).
    w.pagepulse = (name, options) => send(name, options?.props || options);
  }

  var pageview = () => {
    var path = HASH ? loc.pathname + loc.hash : loc.pathname;
    if (lastPage != path) {
      lastPage = path;
      send("pageview");
    }
  };

  if (!MANUAL) {
    history.pushState = function () {
      push.apply(this, arguments);
      pageview();
    };
    on(w, "popstate", pageview);
    if (HASH) on(w, "hashchange", pageview);
    // A prerendered page counts once the visitor actually sees it (the event fires once).
    if (d.prerendering) on(d, "prerenderingchange", pageview);
    else pageview();
  }

  if (PLAUSIBLE) {
    // Calls made before the script ran were queued by Plausible's stub:
    // window.plausible = window.plausible || function () {
    //   (window.plausible.q = window.plausible.q || []).push(arguments) }
    for (let call of w.plausible?.q || []) send(...call);
    w.plausible = send;
  }
})(window, document);
