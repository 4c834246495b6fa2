import { describe, expect, it } from 'vitest';
import {
  canonicalQuantity, compareQuantities, ErrFormatWrong, fromMilli, fromValue, isQuantity, milliValue, parseQuantity, value,
} from '../src/quantity.ts';

describe('parseQuantity', () => {
  it('parses decimal, binary and exponent forms into base units', () => {
    expect(parseQuantity('100m')).toBe(0.1);
    expect(parseQuantity('1.5')).toBe(1.5);
    expect(parseQuantity('128Mi')).toBe(128 * 1024 * 1024);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('1E3')).toBe(1000);
    expect(parseQuantity('2Ki')).toBe(2048);
    expect(parseQuantity('.5')).toBe(0.5);
    expect(parseQuantity('5.')).toBe(5);
    expect(parseQuantity('-2k')).toBe(-2000);
    expect(parseQuantity('+3')).toBe(3);
    expect(parseQuantity('250u')).toBeCloseTo(0.00025, 12);
    expect(parseQuantity('1n')).toBeCloseTo(1e-9, 15);
    expect(parseQuantity(2)).toBe(2);
    expect(parseQuantity(0.25)).toBe(0.25);
  });

  it('rejects malformed quantities with upstream messages', () => {
    expect(() => parseQuantity('abc')).toThrow(ErrFormatWrong);
    expect(ErrFormatWrong).toBe("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    expect(() => parseQuantity('')).toThrow(ErrFormatWrong);
    expect(() => parseQuantity('1x')).toThrow(ErrFormatWrong);
    expect(() => parseQuantity('1ki')).toThrow("unable to parse quantity's suffix");
    expect(() => parseQuantity('1mm')).toThrow("unable to parse quantity's suffix");
    expect(() => parseQuantity('1.2.3')).toThrow('unable to parse numeric part of quantity');
    expect(() => parseQuantity('.')).toThrow('unable to parse numeric part of quantity');
    expect(isQuantity('10Gi')).toBe(true);
    expect(isQuantity('ten')).toBe(false);
    expect(isQuantity(null)).toBe(false);
  });
});

describe('milliValue / value', () => {
  it('rounds up as upstream', () => {
    expect(milliValue('100m')).toBe(100);
    expect(milliValue('1.5')).toBe(1500);
    expect(milliValue('2')).toBe(2000);
    expect(milliValue('0.0001')).toBe(1);
    expect(value('100m')).toBe(1);
    expect(value('1Gi')).toBe(1073741824);
    expect(value('1500m')).toBe(2);
  });
});

describe('compareQuantities', () => {
  it('compares exactly across formats', () => {
    expect(compareQuantities('1', '1000m')).toBe(0);
    expect(compareQuantities('500m', '1')).toBe(-1);
    expect(compareQuantities('1Gi', '1G')).toBe(1);
    expect(compareQuantities('1Ki', 1024)).toBe(0);
    expect(compareQuantities('1e3', '1k')).toBe(0);
  });
});

describe('canonical formatting round trips', () => {
  it.each([
    ['1.5', '1500m'],
    ['1.5Gi', '1536Mi'],
    ['1000', '1k'],
    ['1000m', '1'],
    ['100m', '100m'],
    ['128Mi', '128Mi'],
    ['1024Mi', '1Gi'],
    ['0.5Gi', '512Mi'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['1G', '1G'],
    ['0', '0'],
    ['-1.5', '-1500m'],
    ['512', '512'],
    ['0.1m', '100u'],
    ['1.5Ki', '1536'],
    ['100Ki', '100Ki'],
  ])('%s → %s', (input, out) => {
    expect(canonicalQuantity(input)).toBe(out);
    expect(canonicalQuantity(out)).toBe(out);
  });

  it('builds quantities from milli and base values', () => {
    expect(fromMilli(1500)).toBe('1500m');
    expect(fromMilli(2000)).toBe('2');
    expect(fromValue(1073741824, 'BinarySI')).toBe('1Gi');
    expect(fromValue(3000)).toBe('3k');
  });
});
