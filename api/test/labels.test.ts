import { describe, it, expect } from 'vitest';
import {
  parseSelector, matchesLabels, labelSelectorAsSelector, formatSelector, formatLabelSelector, formatLabels,
  labelSelectorMatches, selectorFromSet, SelectorError, labelSelectorString,
} from '../src/labels.ts';
import { humanDuration, shortHumanDuration, translateTimestampSince } from '../src/age.ts';

describe('label selector parsing', () => {
  it('parses every operator and sorts by key', () => {
    const s = parseSelector('a=b,c==d,e!=f,g in (y,x),h notin (z),i,!j,n>1,m<2');
    expect(s.requirements.map((r) => [r.key, r.operator, r.values])).toEqual([
      ['a', '=', ['b']], ['c', '==', ['d']], ['e', '!=', ['f']], ['g', 'in', ['x', 'y']], ['h', 'notin', ['z']],
      ['i', 'exists', []], ['j', '!', []], ['m', 'lt', ['2']], ['n', 'gt', ['1']],
    ]);
    expect(formatSelector(s)).toBe('a=b,c==d,e!=f,g in (x,y),h notin (z),i,!j,m<2,n>1');
  });

  it('accepts whitespace, empty values and keywords as values', () => {
    expect(formatSelector(parseSelector(' x in (foo,,baz) , y , z notin ()'))).toBe('x in (,baz,foo),y,z notin ()');
    expect(parseSelector('a=').requirements[0].values).toEqual(['']);
    expect(parseSelector('a in (in,notin)').requirements[0].values).toEqual(['in', 'notin']);
    expect(parseSelector('').requirements).toEqual([]);
    expect(parseSelector('example.com/app=web').requirements[0].key).toBe('example.com/app');
  });

  it('reports upstream errors', () => {
    const err = (s: string) => { try { parseSelector(s); } catch (e) { expect(e).toBeInstanceOf(SelectorError); return (e as Error).message; } return 'no error'; };
    expect(err('a=b,')).toBe("found '', expected: identifier after ','");
    expect(err('a=b c')).toBe("found 'c', expected: ',' or 'end of string'");
    expect(err('=b')).toBe("found '=', expected: !, identifier, or 'end of string'");
    expect(err('a b')).toBe("unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
    expect(err('a in x')).toBe("unable to parse requirement: found 'x' expected: '('");
    expect(err('a in (x')).toBe("unable to parse requirement: found '', expected: ',' or ')'");
    expect(err('a>x')).toBe(`unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`);
    expect(err('a=b c')).toMatch(/expected/);
    expect(err('!a=b')).toBe("found '=', expected: ',' or 'end of string'");
    expect(err('a=-bad')).toMatch(/^unable to parse requirement: values\[0\]\[a\]: Invalid value: "-bad": a valid label must be an empty string/);
    // Messages below are what kubectl 1.32 prints for the same selectors (via labels.Parse).
    expect(err('-a=b')).toMatch(/^unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of/);
    expect(err('k8s.io/=x')).toMatch(/^unable to parse requirement: <nil>: Invalid value: "k8s.io\/": name part must be non-empty; name part must consist of/);
    expect(err('a=b,,c')).toBe("found ',', expected: identifier after ','");
    expect(err('a=(b)')).toBe("unable to parse requirement: found '(', expected: identifier");
    expect(err('a!b')).toBe("unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt");
    expect(err('a in (b c)')).toBe("unable to parse requirement: found 'c', expected: ',' or ')'");
    expect(err('a/b/c')).toMatch(/a qualified name must consist/);
  });
});

describe('label selector matching', () => {
  const l = { app: 'web', tier: 'front', n: '5' };
  const m = (s: string) => matchesLabels(parseSelector(s), l);
  it('matches each operator', () => {
    expect(m('app=web')).toBe(true);
    expect(m('app==db')).toBe(false);
    expect(m('app!=db')).toBe(true);
    expect(m('missing!=x')).toBe(true);
    expect(m('tier in (front,back)')).toBe(true);
    expect(m('tier in (back)')).toBe(false);
    expect(m('tier notin (front)')).toBe(false);
    expect(m('missing notin (front)')).toBe(true);
    expect(m('app')).toBe(true);
    expect(m('missing')).toBe(false);
    expect(m('!missing')).toBe(true);
    expect(m('!app')).toBe(false);
    expect(m('n>4,n<6')).toBe(true);
    expect(m('n>5')).toBe(false);
    expect(m('app>1')).toBe(false);
    expect(m('')).toBe(true);
    expect(matchesLabels(parseSelector('app'), undefined)).toBe(false);
  });

  it('converts metav1.LabelSelector; null matches nothing, empty matches everything', () => {
    expect(labelSelectorMatches(null, l)).toBe(false);
    expect(labelSelectorMatches(undefined, {})).toBe(false);
    expect(labelSelectorMatches({}, l)).toBe(true);
    const sel = { matchLabels: { app: 'web' }, matchExpressions: [
      { key: 'tier', operator: 'In', values: ['front', 'back'] }, { key: 'gone', operator: 'DoesNotExist' },
      { key: 'n', operator: 'Exists' }, { key: 'x', operator: 'NotIn', values: ['y'] }] };
    expect(labelSelectorMatches(sel, l)).toBe(true);
    expect(labelSelectorMatches(sel, { ...l, gone: '1' })).toBe(false);
    expect(formatSelector(labelSelectorAsSelector(sel))).toBe('app=web,!gone,n,tier in (back,front),x notin (y)');
    expect(() => labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'Bad' }] })).toThrow('"Bad" is not a valid label selector operator');
    expect(() => labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).toThrow("values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty");
  });

  it('formats selectors and label maps like kubectl', () => {
    expect(formatLabelSelector({ matchLabels: { app: 'web' } })).toBe('app=web');
    expect(formatLabelSelector({})).toBe('<none>');
    expect(labelSelectorString({ matchLabels: { app: 'web' } })).toBe('app=web');
    expect(labelSelectorString({})).toBe('');
    expect(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bad' }] })).toBe('<error>');
    expect(formatLabels({ b: '2', a: '1' })).toBe('a=1,b=2');
    expect(formatLabels({})).toBe('<none>');
    expect(formatSelector(selectorFromSet({ tier: 'x', app: 'web' }))).toBe('app=web,tier=x');
    expect(matchesLabels(selectorFromSet({}), {})).toBe(true);
  });
});

describe('ages', () => {
  const s = 1000, m = 60 * s, h = 60 * m, d = 24 * h;
  it('formats like HumanDuration', () => {
    expect(humanDuration(-3 * s)).toBe('<invalid>');
    expect(humanDuration(-1500)).toBe('0s');
    expect(humanDuration(5 * s)).toBe('5s');
    expect(humanDuration(119 * s)).toBe('119s');
    expect(humanDuration(3 * m + 20 * s)).toBe('3m20s');
    expect(humanDuration(5 * m)).toBe('5m');
    expect(humanDuration(15 * m + 3 * s)).toBe('15m');
    expect(humanDuration(179 * m)).toBe('179m');
    expect(humanDuration(5 * h + 3 * m)).toBe('5h3m');
    expect(humanDuration(5 * h)).toBe('5h');
    expect(humanDuration(30 * h)).toBe('30h');
    expect(humanDuration(2 * d)).toBe('2d');
    expect(humanDuration(3 * d + 4 * h)).toBe('3d4h');
    expect(humanDuration(100 * d)).toBe('100d');
    expect(humanDuration(800 * d)).toBe('2y70d');
    expect(humanDuration(3000 * d)).toBe('8y');
  });
  it('formats like ShortHumanDuration', () => {
    expect(shortHumanDuration(-5 * s)).toBe('<invalid>');
    expect(shortHumanDuration(45 * s)).toBe('45s');
    expect(shortHumanDuration(3 * m + 20 * s)).toBe('3m');
    expect(shortHumanDuration(5 * h + 3 * m)).toBe('5h');
    expect(shortHumanDuration(12 * d)).toBe('12d');
    expect(shortHumanDuration(800 * d)).toBe('2y');
  });
  it('translates timestamps', () => {
    const now = new Date('2024-01-01T00:10:00Z');
    expect(translateTimestampSince('2024-01-01T00:00:00Z', now)).toBe('10m');
    expect(translateTimestampSince(undefined, now)).toBe('<unknown>');
  });
});
