#!/usr/bin/env node
// Compiles the registry contracts with solc-js (standard JSON, optimizer on) into one artifact per contract:
//   <outDir>/<Contract>.json = { contractName, abi, bytecode, deployedBytecode, solcVersion }
// Usage: node compile.js <node_modules dir> <out dir> <file.sol>...
// Exits 1 with solc's formatted messages on any compile error, so the MSBuild target fails the build.
'use strict';
const fs = require('fs');
const path = require('path');

const [nodeModules, outDir, ...files] = process.argv.slice(2);
if (!nodeModules || !outDir || files.length === 0) {
  process.stderr.write('usage: node compile.js <node_modules dir> <out dir> <file.sol>...\n');
  process.exit(2);
}
const solc = require(path.resolve(nodeModules, 'solc'));

const sources = {};
for (const file of files) sources[path.basename(file)] = { content: fs.readFileSync(file, 'utf8') };
const input = {
  language: 'Solidity',
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'cancun',
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter(e => e.severity === 'error');
for (const diagnostic of output.errors || []) {
  // MSBuild recognises "file(line,col): error CODE: message" on stderr; keep solc's own formatted text after it.
  const loc = diagnostic.sourceLocation;
  let where = 'solc';
  if (loc && sources[loc.file]) {
    const before = sources[loc.file].content.slice(0, Math.max(loc.start, 0)).split('\n');
    const file = files.find(f => path.basename(f) === loc.file);
    where = `${path.resolve(file)}(${before.length},${before[before.length - 1].length + 1})`;
  }
  const text = (diagnostic.formattedMessage || diagnostic.message).trim();
  const line = `${where}: ${diagnostic.severity} SOLC${diagnostic.errorCode || ''}: ${text.split('\n')[0]}\n${text}\n`;
  (diagnostic.severity === 'error' ? process.stderr : process.stdout).write(line);
}
if (errors.length > 0) process.exit(1);

fs.mkdirSync(outDir, { recursive: true });
for (const [, contracts] of Object.entries(output.contracts)) {
  for (const [name, compiled] of Object.entries(contracts)) {
    const artifact = {
      contractName: name,
      solcVersion: solc.version(),
      abi: compiled.abi,
      bytecode: '0x' + compiled.evm.bytecode.object,
      deployedBytecode: '0x' + compiled.evm.deployedBytecode.object,
    };
    fs.writeFileSync(path.join(outDir, name + '.json'), JSON.stringify(artifact, null, 1));
  }
}
process.stdout.write(`compiled ${Object.keys(sources).length} source(s) with solc ${solc.version()} into ${outDir}\n`);
