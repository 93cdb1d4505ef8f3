import { describe, expect, it } from 'vitest';

import { APPLICATION_IDENTIFIERS, getAiDefinition, hasPredefinedLength } from '../../../../devices/scan/index.js';

const lengthOf = (ai: string): [number, number] => {
  const parts = getAiDefinition(ai)?.parts ?? [];
  return [parts.reduce((sum, part) => sum + part.minLength, 0), parts.reduce((sum, part) => sum + part.maxLength, 0)];
};

describe('GS1 application identifier table', () => {
  it('has no AI that starts another', () => {
    const ais = APPLICATION_IDENTIFIERS.map((definition) => definition.ai);
    const prefixes = ais.filter((ai) => ais.some((other) => other !== ai && other.startsWith(ai)));

    expect(prefixes).toEqual([]);
  });

  it('has no AI twice', () => {
    const ais = APPLICATION_IDENTIFIERS.map((definition) => definition.ai);

    expect(new Set(ais).size).toBe(ais.length);
  });

  it('gives every predefined-length AI one length', () => {
    const variable = APPLICATION_IDENTIFIERS.filter((definition) => hasPredefinedLength(definition.ai)).filter((definition) => {
      const [minimum, maximum] = lengthOf(definition.ai);
      return minimum !== maximum;
    });

    expect(variable.map((definition) => definition.ai)).toEqual([]);
  });

  it.each([
    ['00', 18, 18, true],
    ['01', 14, 14, true],
    ['02', 14, 14, true],
    ['10', 1, 20, false],
    ['11', 6, 6, true],
    ['17', 6, 6, true],
    ['20', 2, 2, true],
    ['21', 1, 20, false],
    ['22', 1, 20, false],
    ['30', 1, 8, false],
    ['3103', 6, 6, true],
    ['3205', 6, 6, true],
    ['3690', 6, 6, true],
    ['37', 1, 8, false],
    ['240', 1, 30, false],
    ['241', 1, 30, false],
    ['250', 1, 30, false],
    ['251', 1, 30, false],
    ['253', 13, 30, false],
    ['254', 1, 20, false],
    ['400', 1, 30, false],
    ['401', 1, 30, false],
    ['402', 17, 17, false],
    ['403', 1, 30, false],
    ['410', 13, 13, true],
    ['417', 13, 13, true],
    ['420', 1, 20, false],
    ['421', 4, 12, false],
    ['422', 3, 3, false],
    ['423', 3, 15, false],
    ['427', 1, 3, false],
    ['7003', 10, 10, false],
    ['7240', 1, 20, false],
    ['8003', 14, 30, false],
    ['8004', 1, 30, false],
    ['8005', 6, 6, false],
    ['8006', 18, 18, false],
    ['8008', 8, 12, false],
    ['8017', 18, 18, false],
    ['8018', 18, 18, false],
    ['8020', 1, 25, false],
    ['90', 1, 30, false],
    ['91', 1, 90, false],
    ['99', 1, 90, false],
  ])('AI %s takes %i to %i characters, predefined length %s', (ai, minimum, maximum, predefined) => {
    expect(lengthOf(ai)).toEqual([minimum, maximum]);
    expect(hasPredefinedLength(ai)).toBe(predefined);
  });

  it.each(['03', '04', '14', '18', '19', '23', '3106', '3380', '394', '43', '7004', '8001', '9'])('does not know AI %s', (ai) => {
    expect(getAiDefinition(ai)).toBeUndefined();
  });
});
