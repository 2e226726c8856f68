#!/usr/bin/env node
// The `ions` bin.
import { runCli } from './cli.js';

process.exitCode = await runCli(process.argv.slice(2));
