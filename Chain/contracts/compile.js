#!/usr/bin/env node
// Compiles Chainlink's registry contracts from the installed npm package (never from a copy in this repository) with the
// pinned solc-js, the way the package's own build profile for them does (foundry.toml [profile.workflow-v2]: via-IR,
// optimizer 1000 runs, EVM paris, no metadata hash). The contracts import OpenZeppelin with a version in the path
// ("@openzeppelin/contracts@5.1.0/..."); those prefixes are remapped to the pinned npm aliases
// (@openzeppelin/contracts-5.1.0, -4.8.3). One artifact per requested contract:
//   <outDir>/<Contract>.json = { contractName, source, package, packageVersion, solcVersion, abi, bytecode }
// Usage: node compile.js <node_modules dir> <out dir> <package>:<source path>:<Contract>...
// Exits 1 with solc's formatted messages on any compile error, so the MSBuild target fails the build.
'use strict';
const fs = require('fs');
const path = require('path');

const [nodeModules, outDir, ...targets] = process.argv.slice(2);
if (!nodeModules || !outDir || targets.length === 0) {
  process.stderr.write('usage: node compile.js <node_modules dir> <out dir> <package>:<source path>:<Contract>...\n');
  process.exit(2);
}

const solc = require(path.resolve(nodeModules, 'solc'));
const remappings = ['4.8.3', '5.1.0'].map(v => `@openzeppelin/contracts@${v}/=@openzeppelin/contracts-${v}/`);

function packageVersion(name) {
  const file = path.join(nodeModules, name, 'package.json');
  if (!fs.existsSync(file)) {
    process.stderr.write(`solc: error SOLC: the npm package '${name}' is not installed in ${nodeModules}; build again (the build runs 'npm ci').\n`);
    process.exit(1);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')).version;
}

const wanted = targets.map(t => {
  const [pkg, source, contract] = t.split(':');
  return { pkg, version: packageVersion(pkg), unit: `${pkg}/${source}`, contract };
});

const sources = {};
for (const w of wanted) sources[w.unit] = { content: fs.readFileSync(path.join(nodeModules, w.unit), 'utf8') };

function findImports(unit) {
  const file = path.join(nodeModules, unit);
  return fs.existsSync(file)
    ? { contents: fs.readFileSync(file, 'utf8') }
    : { error: `'${unit}' is not in ${nodeModules} (is the npm package that holds it pinned in package.json?)` };
}

const input = {
  language: 'Solidity',
  sources,
  settings: {
    viaIR: true,
    optimizer: { enabled: true, runs: 1000 },
    evmVersion: 'paris',
    metadata: { bytecodeHash: 'none' },
    remappings,
    outputSelection: Object.fromEntries(wanted.map(w => [w.unit, { [w.contract]: ['abi', 'evm.bytecode.object'] }])),
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const diagnostics = output.errors || [];
for (const d of diagnostics) {
  // MSBuild recognises "file(line,col): error CODE: message"; keep solc's own formatted text after it.
  const loc = d.sourceLocation;
  const where = loc ? path.join(nodeModules, loc.file) : 'solc';
  const text = (d.formattedMessage || d.message).trim();
  if (d.severity === 'error') process.stderr.write(`${where}: error SOLC${d.errorCode || ''}: ${text.split('\n')[0]}\n${text}\n`);
}
if (diagnostics.some(d => d.severity === 'error')) process.exit(1);

fs.mkdirSync(outDir, { recursive: true });
for (const w of wanted) {
  const compiled = output.contracts[w.unit] && output.contracts[w.unit][w.contract];
  if (!compiled) {
    process.stderr.write(`solc: error SOLC: ${w.unit} has no contract '${w.contract}'.\n`);
    process.exit(1);
  }
  const artifact = {
    contractName: w.contract,
    source: w.unit,
    package: w.pkg,
    packageVersion: w.version,
    solcVersion: solc.version(),
    abi: compiled.abi,
    bytecode: '0x' + compiled.evm.bytecode.object,
  };
  fs.writeFileSync(path.join(outDir, w.contract + '.json'), JSON.stringify(artifact));
}
process.stdout.write(`compiled ${wanted.map(w => `${w.contract} (${w.pkg}@${w.version})`).join(', ')} with solc ${solc.version()} into ${outDir}\n`);
