/**
 * The runner protocol, with vectors from actions/toolkit
 * packages/core/__tests__/command.test.ts and core.test.ts (escaping,
 * annotation properties, the GITHUB_OUTPUT delimiter block, inputs).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../errors/index.ts';
import { annotation, escapeData, escapeProperty, inputVariable, outputBlock, readBooleanInput, readInput, runnerIo } from './runner.ts';

describe('workflow command escaping (command.test.ts)', () => {
  it('escapes every %, CR and LF in a message, including literal escape sequences', () => {
    expect(escapeData('percent % percent % cr \r cr \r lf \n lf \n')).toBe('percent %25 percent %25 cr %0D cr %0D lf %0A lf %0A');
    expect(escapeData('%25 %25 %0D %0D %0A %0A')).toBe('%2525 %2525 %250D %250D %250A %250A');
  });

  it('escapes colons and commas as well in properties', () => {
    expect(escapeProperty('percent % percent % cr \r cr \r lf \n lf \n colon : colon : comma , comma ,')).toBe(
      'percent %25 percent %25 cr %0D cr %0D lf %0A lf %0A colon %3A colon %3A comma %2C comma %2C',
    );
  });

  it('writes annotations as core.error/warning/notice do (core.test.ts)', () => {
    expect(annotation('error', 'Error message\r\n\n')).toBe('::error::Error message%0D%0A%0A');
    expect(annotation('warning', '\r\nwarning\n')).toBe('::warning::%0D%0Awarning%0A');
    expect(annotation('notice', 'Notice')).toBe('::notice::Notice');
    expect(annotation('error', 'Error: this is my error message', { title: 'A title', file: 'root/test.txt', line: 5 })).toBe(
      '::error title=A title,file=root/test.txt,line=5::Error: this is my error message',
    );
    expect(annotation('error', 'a: b', { file: 'x:y,z.yaml' })).toBe('::error file=x%3Ay%2Cz.yaml::a: b');
  });
});

describe('GITHUB_OUTPUT (file-command.ts)', () => {
  const DELIMITER = 'ghadelimiter_9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d';

  it('writes name<<delimiter, the value, the delimiter', () => {
    expect(outputBlock('my out', 'out val', DELIMITER)).toBe(`my out<<${DELIMITER}\nout val\n${DELIMITER}\n`);
    expect(outputBlock('multi', 'a\nb', DELIMITER)).toBe(`multi<<${DELIMITER}\na\nb\n${DELIMITER}\n`);
  });

  it('refuses a name or value holding the delimiter', () => {
    expect(() => outputBlock('my out', `good stuff ${DELIMITER} bad stuff`, DELIMITER)).toThrow(/delimiter/);
    expect(() => outputBlock(`good stuff ${DELIMITER} bad stuff`, 'test', DELIMITER)).toThrow(/delimiter/);
  });

  const dir = mkdtempSync(path.join(tmpdir(), 'manifold-runner-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('appends outputs and the summary to the runner files, each with a fresh delimiter', () => {
    const output = path.join(dir, 'output');
    const summary = path.join(dir, 'summary');
    const io = runnerIo({ GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary }, () => undefined);
    io.setOutput('a', '1');
    io.setOutput('b', 'x\ny');
    io.appendSummary('# one\n');
    io.appendSummary('two\n');
    const written = readFileSync(output, 'utf8');
    const blocks = [...written.matchAll(/^(\S+)<<(ghadelimiter_[0-9a-f-]{36})\n([\s\S]*?)\n\2\n/gm)].map((m) => [m[1], m[3], m[2]]);
    expect(blocks.map((b) => [b[0], b[1]])).toEqual([
      ['a', '1'],
      ['b', 'x\ny'],
    ]);
    expect(blocks[0]?.[2]).not.toBe(blocks[1]?.[2]);
    expect(readFileSync(summary, 'utf8')).toBe('# one\ntwo\n');
  });

  it('without a runner, prints outputs to the log instead', () => {
    const lines: string[] = [];
    runnerIo({}, (s) => lines.push(s)).setOutput('changed', 'true');
    expect(lines).toEqual(['changed=true\n']);
  });
});

describe('inputs (core.test.ts getInput / getBooleanInput)', () => {
  const env = {
    INPUT_MY_INPUT: 'val',
    'INPUT_BASE-REF': '  main  ',
    INPUT_MISSING: '',
    INPUT_T1: 'true',
    INPUT_T2: 'True',
    INPUT_T3: 'TRUE',
    INPUT_F1: 'false',
    INPUT_F2: 'False',
    INPUT_F3: 'FALSE',
    INPUT_WRONG: 'yes',
  };

  it('maps names to INPUT_ variables: spaces to _, upper case, hyphens kept', () => {
    expect(inputVariable('my input')).toBe('INPUT_MY_INPUT');
    expect(inputVariable('base-ref')).toBe('INPUT_BASE-REF');
    expect(readInput(env, 'My InPuT')).toBe('val');
    expect(readInput(env, 'base-ref')).toBe('main');
  });

  it('uses the fallback only for an unset input, never for an empty one', () => {
    expect(readInput(env, 'missing', 'x')).toBe('');
    expect(readInput(env, 'absent', 'x')).toBe('x');
  });

  it('accepts only the YAML 1.2 core-schema booleans', () => {
    for (const n of ['t1', 't2', 't3']) expect(readBooleanInput(env, n, false)).toBe(true);
    for (const n of ['f1', 'f2', 'f3']) expect(readBooleanInput(env, n, true)).toBe(false);
    expect(readBooleanInput(env, 'absent', true)).toBe(true);
    expect(() => readBooleanInput(env, 'wrong', true)).toThrow(InputError);
    expect(() => readBooleanInput(env, 'wrong', true)).toThrow('wrong: "yes" is not a boolean (use true or false)');
  });
});
