#!/usr/bin/env node
// The CLI runs the compiled output (npm ci builds it through the "prepare" script).
import { main } from "../dist/surfaces/cli/main.js";

// Output piped into `head` or `less` that closes early is not an error: stop quietly.
for (const stream of [process.stdout, process.stderr]) stream.on("error", (e) => { if (e.code === "EPIPE") process.exit(process.exitCode ?? 0); else throw e; });

process.exitCode = await main(process.argv.slice(2));
