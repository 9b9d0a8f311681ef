#!/usr/bin/env node
/**
 * `permafrost <command> [args]` (store commands, listed in `COMMANDS`) and
 * `permafrost <group> <command> [args]` (file-level commands, listed in `GROUPS`). Each
 * command lives in its own module; this file only dispatches.
 * Exit codes: 0 success, 1 the command found a problem (e.g. verify), 2 usage or runtime error.
 */
import { isPermafrostError } from '../errors';
import { parseArgs } from './args';
import type { Command, CommandGroup, CommandIo } from './command';
import { demoCommand } from './demo';
import { inspectCommand } from './inspect';
import { verifyStoreCommand } from './verify-store';
import { catalogCommands, volumeCommands } from './volume';
import { walCommands } from './wal';

const GROUPS: readonly CommandGroup[] = [walCommands, volumeCommands, catalogCommands];
const COMMANDS: Readonly<Record<string, Command>> = { demo: demoCommand, inspect: inspectCommand, verify: verifyStoreCommand };

function usage(io: CommandIo): void {
  io.out('usage: permafrost <command> [args] | permafrost <group> <command> [args]');
  for (const [name, command] of Object.entries(COMMANDS)) {
    io.out(`  permafrost ${name} ${command.usage}`);
    io.out(`      ${command.summary}`);
  }
  for (const group of GROUPS) {
    for (const [name, command] of Object.entries(group.commands)) {
      io.out(`  permafrost ${group.name} ${command.usage.startsWith(name) ? command.usage : `${name} ${command.usage}`}`);
      io.out(`      ${command.summary}`);
    }
  }
}

/** Runs the CLI with `argv` (without the node and script paths); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CommandIo): Promise<number> {
  const [groupName, commandName, ...rest] = argv;
  if (groupName === undefined || groupName === '--help' || groupName === 'help') {
    usage(io);
    return groupName === undefined ? 2 : 0;
  }
  const single = Object.hasOwn(COMMANDS, groupName) ? COMMANDS[groupName] : undefined;
  const group = GROUPS.find((candidate) => candidate.name === groupName);
  const command = single ?? (group && commandName !== undefined ? group.commands[commandName] : undefined);
  if (!command) {
    io.err(`permafrost: unknown command '${[groupName, commandName].filter(Boolean).join(' ')}'`);
    usage(io);
    return 2;
  }
  const args = single ? argv.slice(1) : rest;
  try {
    return await command.run(parseArgs(args, command.valueOptions), io);
  } catch (error) {
    if (isPermafrostError(error)) {
      io.err(`permafrost: ${error.code}: ${error.message}`);
    } else {
      io.err(`permafrost: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    return 2;
  }
}

if (require.main === module) {
  const io: CommandIo = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    progress: { interactive: process.stdout.isTTY === true, write: (text) => process.stdout.write(text) },
  };
  void runCli(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
