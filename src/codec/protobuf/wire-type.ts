/** Protobuf wire types. */
export const WireType = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

/** Largest field number Protobuf allows. */
export const MAX_FIELD_NUMBER = 2 ** 29 - 1;
