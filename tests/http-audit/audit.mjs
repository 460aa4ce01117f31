// Runs every audit of graphql-http's GraphQL-over-HTTP suite against the
// server at the URL given as the only argument, prints each result, and
// exits non-zero when any MUST fails or any SHOULD warns (MAY audits are
// reported but optional, as the specification says).
//
//   node audit.mjs http://127.0.0.1:8080/graphql

import { serverAudits } from "graphql-http";

const url = process.argv[2];
if (!url) {
  console.error("usage: node audit.mjs URL");
  process.exit(2);
}

const audits = serverAudits({ url });
const results = [];
for (const audit of audits) {
  // One at a time, so that the server's logs read in order.
  results.push(await audit.fn());
}

let failures = 0;
let warnings = 0;
let optional = 0;
for (const r of results) {
  // graphql-http grades a failed audit by its keyword: MUST → error,
  // SHOULD → warn, MAY → notice.
  const mark = { ok: "ok  ", error: "FAIL", warn: "WARN", notice: "may " }[r.status] ?? r.status;
  if (r.status === "error") failures++;
  else if (r.status === "warn") warnings++;
  else if (r.status === "notice") optional++;
  console.log(`${mark} ${r.id} ${r.name}`);
  if (r.status !== "ok") {
    console.log(`       ${r.reason}`);
    if (r.response) {
      // The audit may have read the body already; then only the status shows.
      const body = await r.response.text().catch(() => "(body already read)");
      console.log(`       HTTP ${r.response.status}: ${body.slice(0, 300)}`);
    }
  }
}

console.log(
  `\n${results.length} audits: ${results.length - failures - warnings - optional} passed, ` +
    `${failures} MUST failed, ${warnings} SHOULD warned, ${optional} MAY not done`,
);
process.exit(failures + warnings > 0 ? 1 : 0);
