#!/usr/bin/env node
// The `moodwire` command: `serve` runs the server, `analyze` sends a file through a server, `codes`
// lists the protocol's codes, `asyncapi` prints the protocol's AsyncAPI document, `version` the version.

import { asyncApiDocument, CODE_DESCRIPTIONS } from "../protocol/index.js";
import { packageInfo } from "../runtime/paths.js";
import { parseServeArgs, serveHelp } from "../server/config.js";
import { startServer } from "../server/server.js";
import { runAnalyze } from "./analyze.js";

const USAGE = `Usage: moodwire <command> [options]

Commands:
  serve      Run the streaming server (see 'moodwire serve --help').
  analyze    Analyze a file or stdin through a server (see 'moodwire analyze --help').
  codes      List every error and warning code.
  asyncapi   Print the protocol's AsyncAPI 2.6 document (JSON; also docs/asyncapi.json).
  version    Print the version (also --version, -v).
`;

const CODES_HELP = `Usage: moodwire codes

Prints every error and warning code the server sends, one per line: the code, then what it means.`;

function codes(args: string[]): number {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(CODES_HELP);
    return 0;
  }
  if (args.length > 0) {
    console.error(`moodwire codes: unknown option '${args[0]}'\n\n${CODES_HELP}`);
    return 2;
  }
  for (const [code, text] of Object.entries(CODE_DESCRIPTIONS)) console.log(`${code}  ${text}`);
  return 0;
}

function asyncapi(args: string[]): number {
  if (args.length > 0 && !args.includes("--help") && !args.includes("-h")) {
    console.error(`moodwire asyncapi: unknown option '${args[0]}'`);
    return 2;
  }
  if (args.length > 0) {
    console.log("Usage: moodwire asyncapi\n\nPrints the AsyncAPI 2.6 document of /v0/stream/models (requests, replies, codes) as JSON.");
    return 0;
  }
  console.log(JSON.stringify(asyncApiDocument(packageInfo().version), null, 2));
  return 0;
}

function help(): number {
  console.log(USAGE);
  return 0;
}

function printVersion(): number {
  const { name, version } = packageInfo();
  console.log(`${name} ${version}`);
  return 0;
}

async function serve(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(serveHelp());
    return 0;
  }
  const parsed = parseServeArgs(args, process.env);
  if (!parsed.ok) {
    console.error(`moodwire serve: ${parsed.message}`);
    return 2;
  }
  const server = await startServer(parsed.config);
  // The server logs its own start and stop (one JSON line each).
  const stop = () => {
    server.shutdown().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  return new Promise<number>(() => {});
}

/** Every command and its aliases. */
const COMMANDS: Readonly<Record<string, (args: string[]) => Promise<number> | number>> = {
  serve,
  analyze: runAnalyze,
  codes,
  asyncapi,
  version: printVersion,
  "--version": printVersion,
  "-v": printVersion,
  help,
  "--help": help,
  "-h": help,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    console.error(USAGE);
    return 2;
  }
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (run === undefined) {
    console.error(`moodwire: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  }
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`moodwire: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
