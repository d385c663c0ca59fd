#!/usr/bin/env node
// The `moodwire` command: `serve` runs the server, `analyze` sends a file through a server.

import { CODE_DESCRIPTIONS } from "../protocol/index.js";
import { parseServeArgs, serveHelp } from "../server/config.js";
import { startServer } from "../server/server.js";
import { runAnalyze } from "./analyze.js";

const USAGE = `Usage: moodwire <command> [options]

Commands:
  serve      Run the streaming server (see 'moodwire serve --help').
  analyze    Analyze a file or stdin through a server (see 'moodwire analyze --help').
  codes      List every error and warning code.
`;

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
  console.error(`moodwire: listening on ${server.url} with models: ${server.registry.names.join(", ") || "none"}`);
  const stop = (signal: string) => {
    console.error(`moodwire: ${signal} received, shutting down`);
    server.shutdown().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  return new Promise<number>(() => {});
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve":
      return serve(rest);
    case "analyze":
      return runAnalyze(rest);
    case "codes":
      for (const [code, text] of Object.entries(CODE_DESCRIPTIONS)) console.log(`${code}  ${text}`);
      return 0;
    case undefined:
    case "--help":
    case "-h":
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`moodwire: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`moodwire: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
