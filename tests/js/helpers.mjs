// Shared test helpers: load the kubia fixture, build big clusters.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));

export function kubiaFixture() {
  return JSON.parse(readFileSync(join(here, "fixture_kubia.json"), "utf8"));
}

export { bigSnapshot } from "./fixtures.js";
