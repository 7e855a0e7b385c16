/* Keeps the respondent pages and their assets usable when the network drops:
   pages network-first (a fresh copy when online), assets cache-first (their URLs
   carry a content version). Responses themselves are queued by sipas.js. */
var CACHE = 'sipas-v1';
self.addEventListener('install', function (e) {
  // The page registers sw.js?v=<asset version>: fetch that version's assets now.
  var v = new URL(location.href).searchParams.get('v');
  var assets = v ? ['/static/sipas.css?v=' + v, '/static/sipas.js?v=' + v] : [];
  e.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(assets); })
    .catch(function () {}).then(function () { return self.skipWaiting(); }));
});
self.addEventListener('activate', function (e) { e.waitUntil(self.clients.claim()); });
self.addEventListener('fetch', function (e) {
  var r = e.request, u = new URL(r.url);
  if (r.method !== 'GET' || u.origin !== location.origin) return;
  if (u.pathname.indexOf('/static/') === 0) {
    e.respondWith(caches.open(CACHE).then(function (c) {
      return c.match(r).then(function (hit) {
        return hit || fetch(r).then(function (res) { if (res.ok) c.put(r, res.clone()); return res; });
      });
    }));
  } else if (r.mode === 'navigate' && u.pathname.indexOf('/s/') === 0) {
    // A form opened from a Start link carries its response id (?r=): one copy per
    // response would fill the cache, and offline the page's plain copy serves it.
    var own = !u.searchParams.has('r');
    e.respondWith(fetch(r).then(function (res) {
      if (res.ok && own) { var copy = res.clone(); caches.open(CACHE).then(function (c) { c.put(r, copy); }); }
      return res;
    }).catch(function () {
      return caches.match(r).then(function (hit) {
        return hit || caches.match(u.origin + u.pathname);
      }).then(function (hit) { return hit || Response.error(); });
    }));
  }
});
