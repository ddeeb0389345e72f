#!/usr/bin/env node
// The CLI runs the compiled output (npm ci builds it through the "prepare" script).
import { main } from "../dist/surfaces/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
