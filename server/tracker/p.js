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
// Code a switch turns off lives in `if (SWITCH) { ... }` blocks, which esbuild
// drops whole, or behind `SWITCH ? ... : 0`, which leaves a bare `name=0`;
// declared with let, as a `var` in a dropped block would leave its name
// behind, and not as `SWITCH && (() => ...)`, which keeps its parentheses.
// Every byte counts here (p.js must stay within 700, each variant within
// 2,048), which explains the terse spots: esbuild renames locals but not
// properties or globals, so what is read more than once is read through a
// local, and what can share a statement (a listener call, an object literal)
// does.
//
// No cookies, nothing written to the visitor's device, nothing read from it
// but the page URL, the referrer, the window width, the "ignore my visits"
// flag and, for engagement events, how far down the page was seen and for how
// long it was in front.
((w, d) => {
  var script = d.currentScript;
  if (!script) return;
  // Absent data-* attributes read as undefined, which JSON leaves out; the
  // endpoints take a missing field as they take a null one.
  var data = script.dataset;
  // Plausible's scripts listen for a dozen events, several sharing a listener:
  // "focus blur" is two. Ours listens for two, one at a time.
  var on = (types, listener, target = w) =>
    PLAUSIBLE
      ? types.split(" ").map((type) => target.addEventListener(type, listener))
      : target.addEventListener(types, listener);
  var loc = location;
  var site = PLAUSIBLE ? data.domain : data.site;
  // Beacons go to the origin the script came from, so it works cross-origin;
  // Plausible's data-api names another endpoint (a proxy, say).
  var endpoint = (PLAUSIBLE && data.api) || new URL(PLAUSIBLE ? "/api/event" : "/api/v1/event", script.src);
  // Local pages and files are counted only by the `local` variant; automated
  // browsers never are.
  var off = (!LOCAL && (/^(localhost|127\.|\[::1\]$)/.test(loc.hostname) || loc.protocol == "file:")) || navigator.webdriver;
  // The owner's own browser, flagged by the "ignore my visits" page under
  // Plausible's key, sends nothing. Reading storage throws where it is
  // blocked (a sandboxed frame, say): then the flag is simply not set.
  try {
    off ||= localStorage.plausible_ignore == "true";
  } catch {}
  var send;

  if (PLAUSIBLE) {
    // A string body goes as text/plain: a "simple" request, so no CORS
    // preflight. keepalive (like sendBeacon) lets it outlive the page, so a click
    // that navigates away is never held back to get its event out.
    let post = (body, callback) =>
      fetch(endpoint, { method: "POST", body: JSON.stringify(body), keepalive: true }).then(
        (response) => callback?.({ status: response.status }),
        (error) => callback?.({ error }),
      );

    // Engagement, as Plausible measures it: the current page's pageview (which
    // its engagement events repeat), the largest share of the page seen and
    // the share last reported, and the engaged time: `banked` ms plus the
    // stretch running since `since` (falsy while the page is hidden or
    // unfocused).
    let page, seen, reported, banked, since;
    let now = ENGAGEMENT ? () => Date.now() : 0;
    let measure = ENGAGEMENT
      ? () => (seen = Math.max(seen, (scrollY + innerHeight) / d.documentElement.scrollHeight))
      : 0;
    // Banks the running stretch, then reports: a page's first engagement event
    // always goes; later ones only once the visitor has seen more of it or
    // spent 3 s more with it.
    let engage = ENGAGEMENT
      ? () => {
          banked += since && now() - since;
          since &&= now();
          if (page && (seen > reported || banked >= 3e3)) {
            reported = seen;
            post({ ...page, n: "engagement", sd: Math.round(seen > 1 ? 100 : seen * 100), e: banked });
            banked = 0;
          }
        }
      : 0;

    // Plausible's path globs, comma-separated: `*` within a segment, `**`
    // across segments, the trailing slash optional. Undefined when the
    // attribute is absent.
    let matches = EXCLUSIONS
      ? (globs) =>
          globs
            ?.split(",")
            .some((glob) =>
              RegExp("^" + glob.trim().replace(/\*\*?/g, (m) => (m[1] ? ".*" : "[^/]*")) + "/?$").test(loc.pathname),
            )
      : 0;

    send = (name, o = {}) => {
      let pageview = name == "pageview";
      // The page being left gets its engagement before the next one counts
      // (engage returns nothing: no page until this one is sent).
      if (ENGAGEMENT && pageview) page = engage();
      // Only pageviews are excluded: events on an excluded page still count.
      // No data-include includes every page ("**").
      if (off || (EXCLUSIONS && pageview && (!matches(data.include ?? "**") || matches(data.exclude)))) {
        return o.callback?.();
      }
      // event-<key>="value" on the script tag: on every event, the call's own
      // props winning.
      let props = PAGEVIEW_PROPS && {};
      if (PAGEVIEW_PROPS) for (let a of script.attributes) a.name.replace(/^event-(.+)/, (_, key) => (props[key] = a.value));
      // What is undefined stays out of the JSON. `i` is false only when asked
      // for: a non-interactive event does not end a bounce.
      let body = {
        n: name,
        u: o.u || o.url || loc.href,
        d: site,
        r: d.referrer,
        w: innerWidth,
        p: PAGEVIEW_PROPS ? { ...props, ...o.props } : o.props,
        i: o.interactive !== false && undefined,
        ...(HASH && { h: 1 }),
        ...(REVENUE && { $: o.revenue }),
      };
      post(body, o.callback);
      if (ENGAGEMENT && pageview) {
        page = body;
        reported = -1;
        seen = banked = 0;
        measure();
      }
    };

    if (TAGGED_EVENTS || OUTBOUND_LINKS || FILE_DOWNLOADS) {
      // Plausible's list; file-types replaces it, add-file-types extends it.
      let types =
        FILE_DOWNLOADS &&
        (
          (script.getAttribute("file-types") ||
            "pdf,xlsx,docx,txt,rtf,csv,exe,key,pps,ppt,pptx,7z,pkg,rar,gz,zip,avi,mov,mp4,mpeg,wmv,midi,mp3,wav,wma,dmg") +
          "," +
          (script.getAttribute("add-file-types") || "")
        ).split(",");
      // Clicks (a middle click opens a tab and counts; the other buttons' do
      // not) and, for tagged forms, submits (not the clicks on their buttons).
      on(
        TAGGED_EVENTS ? "click auxclick submit" : "click auxclick",
        (e) => {
          let target = e.target;
          let element = TAGGED_EVENTS && target.closest?.("[class*=plausible-event-name]");
          let link = (OUTBOUND_LINKS || FILE_DOWNLOADS) && target.closest?.("a");
          let url = FILE_DOWNLOADS && link?.origin + link?.pathname;
          if (e.button > 1);
          // A tagged form counts on submit, anything else tagged on a click:
          // of the three types only "submit" sorts after "d".
          else if (TAGGED_EVENTS && element && (element.tagName == "FORM") != e.type < "d") {
            // class="plausible-event-name=Signup+Click plausible-event-plan=pro",
            // or `--` for `=` where a CMS strips it; `+` stands for a space. With
            // revenue, plausible-revenue-amount=… and plausible-revenue-currency=….
            let tags = {};
            let revenue = {};
            element.classList.forEach((c) =>
              c.replace(
                /^plausible-(?:event|(revenue))-(.+?)(?:=|--)(.+)/,
                (_, isRevenue, key, value) => ((isRevenue ? revenue : tags)[key] = value.replace(/\+/g, " ")),
              ),
            );
            let { name, ...props } = tags;
            send(name, REVENUE ? { props, revenue: revenue.currency && revenue } : { props });
          }
          // An SVG link has no host; mailto: and javascript: have an empty one.
          else if ((OUTBOUND_LINKS || FILE_DOWNLOADS) && !link?.host);
          else if (FILE_DOWNLOADS && types.includes(url.split(".").pop())) send("File Download", { props: { url } });
          else if (OUTBOUND_LINKS && link.host != loc.host) send("Outbound Link: Click", { props: { url: link.href } });
        },
        d,
      );
    }

    if (ENGAGEMENT) {
      let focus = () => (!d.hidden && d.hasFocus() ? (since ||= now()) : (engage(), (since = 0)));
      on("visibilitychange", focus, d);
      on("focus blur", focus);
      // Leaving the page: visibilitychange may come too late, or not at all.
      on("pagehide", engage);
      on("scroll", measure);
      focus();
    }
  } else {
    send = (name, props) => {
      if (off) return;
      // A string body is sent as text/plain: a "simple" request, so no CORS
      // preflight; keepalive (like sendBeacon) lets it outlive the page. A
      // network failure (an ad blocker, say) is no error of the page's.
      fetch(endpoint, {
        method: "POST",
        body: JSON.stringify({ s: site, u: loc.href, r: d.referrer, w: innerWidth, n: name, p: props }),
        keepalive: true,
      }).catch(() => {});
    };
    // pagepulse("Signup", {plan: "pro"}) or Plausible's pagepulse("Signup", {props: {...}}).
    w.pagepulse = (name, options) => send(name, options?.props || options);
  }

  if (!MANUAL) {
    // A pageview whenever the path (with the hash modifier, the fragment too)
    // is not the one last counted.
    let lastPage;
    let pageview = () => lastPage != (lastPage = HASH ? loc.pathname + loc.hash : loc.pathname) && send("pageview");
    let push = history.pushState;
    history.pushState = function () {
      push.apply(this, arguments);
      pageview();
    };
    on(HASH ? "popstate hashchange" : "popstate", pageview);
    // A prerendered page counts once the visitor actually sees it (the event fires once).
    if (d.prerendering) on("prerenderingchange", pageview, d);
    else pageview();
  }

  if (PLAUSIBLE) {
    // Calls made before the script ran were queued by Plausible's stub:
    // window.plausible = window.plausible || function () {
    //   (window.plausible.q = window.plausible.q || []).push(arguments) }
    w.plausible?.q?.map((call) => send(...call));
    w.plausible = send;
  }
})(window, document);
