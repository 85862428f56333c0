// Loaded into the official qwencloud CLI with NODE_OPTIONS=--import=<this file>.
// It changes no CLI logic: it only moves the CLI's hard-coded origins to the local simulator
// (QWENCLOUD_SIM_URL), refuses every other non-loopback request, and optionally starts the
// clock at QWENCLOUD_FAKE_NOW so periods and token expiry match the simulator's frozen clock.

const sim = (process.env.QWENCLOUD_SIM_URL || "").replace(/\/+$/, "");
const REWRITES = [
  ["https://cli.qwencloud.com", ""],
  ["https://t.qwencloud.com", ""],
  ["https://alioth-intl.alicdn.com", "/cdn"],
  ["https://api.github.com", ""],
];
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

function rewrite(url) {
  for (const [origin, prefix] of REWRITES) {
    if (url === origin || url.startsWith(origin + "/")) {
      if (!sim) throw new TypeError(`preload: QWENCLOUD_SIM_URL is not set (refusing ${origin})`);
      return sim + prefix + url.slice(origin.length);
    }
  }
  if (url.startsWith("data:")) return url;
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return url; // relative or odd URLs fail inside fetch itself
  }
  if (LOOPBACK.has(parsed.hostname)) return url;
  throw new TypeError(`preload: refusing network access to ${parsed.origin}`);
}

const realFetch = globalThis.fetch;
globalThis.fetch = function patchedFetch(input, init) {
  if (typeof input === "string" || input instanceof URL) {
    return realFetch(rewrite(String(input)), init);
  }
  if (input && typeof input.url === "string") {
    return realFetch(new Request(rewrite(input.url), input), init);
  }
  return realFetch(input, init);
};

const fakeNow = process.env.QWENCLOUD_FAKE_NOW;
if (fakeNow) {
  const RealDate = Date;
  const offset = RealDate.parse(fakeNow) - RealDate.now();
  if (Number.isNaN(offset)) throw new Error(`preload: bad QWENCLOUD_FAKE_NOW ${fakeNow}`);
  class FakeDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...args);
    }
    static now() {
      return RealDate.now() + offset;
    }
  }
  // Calling Date() without new returns a string of "now"; keep that too.
  globalThis.Date = new Proxy(FakeDate, {
    apply: () => new FakeDate().toString(),
  });
}
