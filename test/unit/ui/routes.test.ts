import { describe, expect, it } from 'vitest';
import { parseHash, routeHref, type Route } from '../../../src/ui/lib/routes.ts';

describe('hash routes', () => {
  it('parses every route', () => {
    expect(parseHash('')).toEqual({ name: 'home' });
    expect(parseHash('#/')).toEqual({ name: 'home' });
    expect(parseHash('#/data')).toEqual({ name: 'data' });
    expect(parseHash('#/lab')).toEqual({ name: 'lab' });
    expect(parseHash('#/lab/')).toEqual({ name: 'lab' });
    expect(parseHash('#/genre/Sci-Fi')).toEqual({ name: 'genre', genre: 'Sci-Fi', sort: 'count' });
    expect(parseHash('#/genre/Film-Noir?sort=rating')).toEqual({
      name: 'genre',
      genre: 'Film-Noir',
      sort: 'rating',
    });
    expect(parseHash('#/genre')).toEqual({ name: 'genre', genre: 'all', sort: 'count' });
    expect(parseHash('#/movie/42')).toEqual({ name: 'movie', index: 42 });
    expect(parseHash('#/search?q=the%20matrix')).toEqual({ name: 'search', q: 'the matrix' });
    expect(parseHash('#/search?q=a+b')).toEqual({ name: 'search', q: 'a b' });
    expect(parseHash('#/taste')).toEqual({ name: 'taste' });
    expect(parseHash('#/pipeline')).toEqual({ name: 'pipeline' });
    expect(parseHash('#/user')).toEqual({ name: 'user', userId: null });
    expect(parseHash('#/user/17')).toEqual({ name: 'user', userId: 17 });
  });

  it('falls back safely on unknown or malformed input', () => {
    expect(parseHash('#/movie/abc')).toEqual({ name: 'not-found', path: '/movie/abc' });
    expect(parseHash('#/nope')).toEqual({ name: 'not-found', path: '/nope' });
    expect(parseHash('#/lab/extra')).toEqual({ name: 'not-found', path: '/lab/extra' });
    expect(parseHash('#/user/-3')).toEqual({ name: 'not-found', path: '/user/-3' });
    expect(parseHash('#/user/1/2')).toEqual({ name: 'not-found', path: '/user/1/2' });
    expect(parseHash('#/genre/Drama?sort=bogus')).toMatchObject({ sort: 'count' });
    expect(parseHash('#/genre/%E0%A4%A')).toMatchObject({ name: 'genre', genre: '%E0%A4%A' });
  });

  it('formats the lab route', () => {
    expect(routeHref({ name: 'lab' })).toBe('#/lab');
  });

  it('round-trips through routeHref, including awkward genre names and queries', () => {
    const routes: Route[] = [
      { name: 'home' },
      { name: 'data' },
      { name: 'lab' },
      { name: 'movie', index: 0 },
      { name: 'genre', genre: "Children's", sort: 'title' },
      { name: 'genre', genre: '(no genres listed)', sort: 'count' },
      { name: 'search', q: 'américain & co? #1' },
      { name: 'user', userId: null },
      { name: 'user', userId: 610 },
      { name: 'taste' },
      { name: 'pipeline' },
    ];
    for (const r of routes) expect(parseHash(routeHref(r))).toEqual(r);
  });
});
