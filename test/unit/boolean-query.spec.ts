import { TransformFnParams } from 'class-transformer';
import { toBoolean } from '../../src/common/validation/transforms';

const read = (value: unknown): unknown => toBoolean({ value } as TransformFnParams);

describe('toBoolean (the reference accepts these spellings of force=…)', () => {
  it.each(['true', 'True', 't', 'T', '1', 'yes', 'y', 'Y', 'on', ' on '])('reads %j as true', (value) => {
    expect(read(value)).toBe(true);
  });

  it.each(['false', 'FALSE', 'f', '0', 'no', 'n', 'N', 'off'])('reads %j as false', (value) => {
    expect(read(value)).toBe(false);
  });

  it.each(['maybe', '2', 'tru', ''])('leaves %j for the validator to refuse', (value) => {
    expect(read(value)).toBe(value);
  });
});
