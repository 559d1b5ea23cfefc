import { describe, expect, it } from 'vitest';
import { RULES, SQUAWK_EXCLUDED_RULES } from '../../src/lint/lint-rules.ts';
import { readSuppressions } from '../../src/lint/lint-suppressions.ts';
import { runSquawk } from '../../src/lint/squawk-runner.ts';
import { createdTable, isVacuumFull, targetTable } from '../../src/lint/statement-tables.ts';

/** SQL that makes squawk 2.66 report each rule it has, so the catalogue cannot drift from squawk's names. */
const EVERY_RULE = [
  'create table t1 (id serial primary key, c char(10), v varchar(10), ts timestamp, s smallint, i int);',
  'alter table a add column x int not null;',
  'alter table a alter column y set not null;',
  'alter table a add column z float default random();',
  'alter table a add column pk serial primary key;',
  'alter table a add constraint fk foreign key (b) references b(id);',
  'alter table a alter column q type bigint;',
  'alter table a add constraint ck check (x > 0);',
  'alter table a add constraint u unique (x);',
  'alter table a drop column d;',
  'drop table dt;',
  'alter table a rename to b;',
  'alter table a rename column x to y;',
  'drop database foo;',
  'truncate a cascade;',
  'alter table a alter column x drop not null;',
  'alter domain d add constraint c check (value > 0);',
  'create domain d2 as int check (value > 0);',
  'drop index i1;',
  'reindex index i2;',
  'alter table p detach partition c1;',
  "alter type e add value 'x';",
  `create index ${'a'.repeat(70)} on a (x);`,
  'update a set x = 1, x = 2;',
  'begin;',
].join('\n');

describe('lint rule catalogue', () => {
  it('names exactly the rules squawk reports', async () => {
    const found = await runSquawk(
      [
        { id: 'plain', sql: EVERY_RULE, assumeInTransaction: false },
        {
          id: 'tx',
          sql: 'begin;\ncreate index concurrently x on a (b);\ncommit;\n',
          assumeInTransaction: true,
        },
        { id: 'syntax', sql: 'create tabel x;\n', assumeInTransaction: true },
      ],
      { pgVersion: '17', exclude: [] },
    );
    const reported = new Set([...found.values()].flat().map((f) => f.rule));
    const catalogued = Object.entries(RULES)
      .filter(([, info]) => info.source === 'squawk')
      .map(([rule]) => rule);
    for (const rule of reported) {
      expect([...catalogued, ...SQUAWK_EXCLUDED_RULES], `squawk reported ${rule}`).toContain(rule);
    }
    for (const rule of catalogued) expect(reported, `catalogued ${rule}`).toContain(rule);
  });

  it('excluded rules are not reported', async () => {
    const found = await runSquawk(
      [{ id: 'a', sql: 'create index a_idx on a (x);\n', assumeInTransaction: true }],
      {
        pgVersion: '17',
        exclude: SQUAWK_EXCLUDED_RULES,
      },
    );
    expect(found.get('a')!.map((f) => f.rule)).toEqual(['require-concurrent-index-creation']);
  });
});

describe('statement tables', () => {
  it.each([
    ['create table users (id int)', 'users'],
    ['CREATE UNLOGGED TABLE IF NOT EXISTS public."Users" (id int)', 'Users'],
    ['create temp table t as select 1', 't'],
    ['create index on users (x)', undefined],
  ])('createdTable(%s) = %s', (statement, table) => {
    expect(createdTable(statement)).toBe(table);
  });

  it.each([
    ['create index users_email_idx on users (email)', 'users'],
    ['create unique index concurrently if not exists x on only public.Users (a)', 'users'],
    ['create index on "Accounts" (a)', 'Accounts'],
    ['alter table if exists only accounts add column x int', 'accounts'],
    ['drop table if exists a, b', 'a'],
    ['truncate table only audit_log', 'audit_log'],
    ['vacuum (full, analyze) accounts', 'accounts'],
    ['vacuum full verbose accounts', 'accounts'],
    ['select 1', undefined],
  ])('targetTable(%s) = %s', (statement, table) => {
    expect(targetTable(statement)).toBe(table);
  });

  it('recognises VACUUM FULL in both spellings only', () => {
    expect(isVacuumFull('vacuum full a')).toBe(true);
    expect(isVacuumFull('VACUUM (FULL) a')).toBe(true);
    expect(isVacuumFull('vacuum analyze a')).toBe(false);
  });
});

describe('kmigrate-lint-ignore comments', () => {
  it('reads rules and reasons in SQL and TypeScript comments', () => {
    const { suppressions, problems } = readSuppressions(
      [
        '-- kmigrate-lint-ignore ban-drop-table: replaced by accounts_v2 in 041',
        'select 1;',
        '  // kmigrate-lint-ignore renaming-column, ban-drop-column: old clients are gone',
        '/* kmigrate-lint-ignore ban-truncate: staging data only */',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(suppressions).toEqual([
      { rules: ['ban-drop-table'], reason: 'replaced by accounts_v2 in 041', line: 1 },
      { rules: ['renaming-column', 'ban-drop-column'], reason: 'old clients are gone', line: 3 },
      { rules: ['ban-truncate'], reason: 'staging data only', line: 4 },
    ]);
  });

  it('refuses a missing reason, a missing rule and unknown or meta rules', () => {
    const { suppressions, problems } = readSuppressions(
      [
        '-- kmigrate-lint-ignore ban-drop-table',
        '-- kmigrate-lint-ignore ban-drop-table:   ',
        '-- kmigrate-lint-ignore',
        '-- kmigrate-lint-ignore no-such-rule: because',
        '-- kmigrate-lint-ignore lint-ignore-without-reason: nice try',
        '-- kmigrate-lint-ignored ban-drop-table',
      ].join('\n'),
    );
    expect(suppressions).toEqual([]);
    expect(problems.map((p) => [p.line, p.rule])).toEqual([
      [1, 'lint-ignore-without-reason'],
      [2, 'lint-ignore-without-reason'],
      [3, 'lint-ignore-without-reason'],
      [4, 'lint-ignore-unknown-rule'],
      [5, 'lint-ignore-unknown-rule'],
    ]);
  });
});
