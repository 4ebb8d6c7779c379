// Drives the console in headless Chromium, the way a person would: the path's cards, a request's waterfall
// and trace, a fault set from the form and healed from the card. Run by ConsoleBrowserTest against a
// running Stack:   node console.test.mjs http://127.0.0.1:PORT/ /usr/bin/chromium
// Prints one line per step; exits 1 with the reason on the first failure.
import { chromium } from "playwright-core";

const [url, executablePath = "/usr/bin/chromium"] = process.argv.slice(2);
if (!url) {
  console.error("usage: node console.test.mjs CONSOLE_URL [CHROMIUM]");
  process.exit(2);
}
const STEP_MS = 20_000;
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"], timeout: 60_000 });
const problems = [];
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.on("console", (m) => { if (m.type() === "error") problems.push("browser console: " + m.text()); });
  page.on("pageerror", (e) => problems.push("page error: " + e.message));

  await page.goto(url);
  await page.locator('.card.ready[data-instance="edge-1"]').waitFor();
  await page.locator('.card.ready[data-instance="gateway-1"]').waitFor();
  await page.locator('.card.ready[data-instance="page-1"]').waitFor();
  console.log("path: edge-1, gateway-1 and page-1 shown ready");

  await page.getByRole("button", { name: "the product page (fan-out)" }).click();
  await page.locator("#send").click();
  await page.locator('#waterfall tr[data-hop="page"]').waitFor();
  const hops = await page.locator("#waterfall tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.hop));
  for (const hop of ["edge", "firewall", "balancer", "gateway", "page"]) {
    if (!hops.includes(hop)) throw new Error(`the waterfall has no ${hop} row: ${hops}`);
  }
  const status = await page.locator("#status").textContent();
  if (!status.startsWith("200")) throw new Error("the product page answered " + status);
  console.log("request: 200 with hops " + hops.join(" "));

  await page.locator("#show-trace").click();
  await page.locator("#spans tbody tr[data-span]").first().waitFor();
  const spans = await page.locator("#spans tbody tr[data-span]").count();
  if (spans < 5) throw new Error(`the trace shows ${spans} spans, expected the path's hops at least`);
  console.log(`trace: ${spans} spans`);

  await page.locator("#break-instance").selectOption("recommendations-1");
  await page.locator("#break-kind").selectOption("error");
  await page.locator("#break-status").fill("503");
  await page.locator("#break-for").fill("60");
  await page.getByRole("button", { name: "Break it" }).click();
  await page.locator('.card.faulted[data-instance="recommendations-1"]').waitFor();
  console.log("break: recommendations-1 shown broken");

  await page.locator("#send").click();
  await page.locator('#status:text-matches("^200")').waitFor();
  console.log("request while broken: still 200 (the page degrades)");

  await page.locator('.card[data-instance="recommendations-1"] button', { hasText: "heal" }).click();
  await page.locator('.card.faulted[data-instance="recommendations-1"]').waitFor({ state: "detached" });
  console.log("heal: recommendations-1 back to normal");

  if (problems.length) throw new Error(problems.join("; "));
  console.log("console OK");
} catch (e) {
  console.error("console test failed: " + e.message + (problems.length ? " (" + problems.join("; ") + ")" : ""));
  process.exitCode = 1;
} finally {
  await browser.close();
}
