import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load-config.ts';
import { detectSupabase, supabaseReferences } from '../../src/config/platform.ts';

describe('detectSupabase (for init)', () => {
  it.each([
    ['postgres://postgres:pw@db.abcdefghijklmnopqrst.supabase.co:5432/postgres', true],
    [
      'postgres://postgres.abcdefghijklmnopqrst:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres',
      true,
    ],
    ['postgresql://postgres:postgres@127.0.0.1:54322/postgres', true],
    ['postgres://app:pw@db.example.com:5432/app', false],
    ['postgres://app:pw@127.0.0.1:5432/app', false],
    ['sqlite:./data/dev.sqlite', false],
    ['not a url', false],
  ])('%s → %s', (url, expected) => {
    expect(detectSupabase(url)).toBe(expected);
  });

  it('reads a schema list: two Supabase-managed schemas make a Supabase database', () => {
    expect(detectSupabase(['public', 'auth', 'storage', 'extensions'])).toBe(true);
    expect(detectSupabase(['public', 'auth'])).toBe(false);
    expect(detectSupabase(['public'])).toBe(false);
  });
});

describe('supabaseReferences (the hint when the setting is off)', () => {
  it('finds platform tables, functions, roles and the extensions schema; ignores comments', () => {
    expect(
      supabaseReferences(`-- auth.users is Supabase's
create table profiles (id uuid references auth.users (id) on delete cascade);
create policy p on profiles for select to anon, authenticated using ((select auth.uid()) = id);
create extension if not exists pg_trgm with schema extensions;
create policy o on storage.objects for insert with check (true);`),
    ).toEqual([
      'auth.uid',
      'auth.users',
      'role anon',
      'role authenticated',
      'schema extensions',
      'storage.objects',
    ]);
    expect(supabaseReferences('create table users (id int); grant select on users to app_reader;')).toEqual(
      [],
    );
  });
});

describe('platform setting', () => {
  it("config platform: 'supabase', --platform overrides it ('none' turns it off), anything else is refused", () => {
    expect(resolveConfig({ platform: 'supabase' }, { env: {} }).platform).toBe('supabase');
    expect(resolveConfig({}, { env: {}, overrides: { platform: 'supabase' } }).platform).toBe('supabase');
    expect(
      resolveConfig({ platform: 'supabase' }, { env: {}, overrides: { platform: 'none' } }).platform,
    ).toBe(undefined);
    expect(() => resolveConfig({ platform: 'heroku' }, { env: {} })).toThrow(/platform/);
    expect(resolveConfig({}, { env: {} }).codegen.platformTables).toEqual([]);
    expect(() => resolveConfig({ codegen: { platformTables: ['users'] } }, { env: {} })).toThrow(
      /must be schema\.table/,
    );
  });
});
