/**
 * Business status errors (Kitex's BizStatusError): a handler's way to fail a call with an
 * application status code that travels in TTHeader (`biz-status`, `biz-message`,
 * `biz-extra` as JSON) instead of as an exception.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import type { BizStatus } from "./context.js";

/** The error a handler throws (and a client receives) for a business status. */
export function bizStatusError(status: number, message: string, extra?: Record<string, string>): KitewireError {
  return new KitewireError(ErrorCode.BIZ_STATUS, message, { details: { status, ...(extra ? { extra } : {}) } });
}

/** The business status an error carries, if it is a BIZ_STATUS error. */
export function bizStatusOf(error: unknown): BizStatus | undefined {
  if (!(error instanceof KitewireError) || error.code !== ErrorCode.BIZ_STATUS) return undefined;
  const status = Number(error.details?.["status"] ?? 0);
  const extra = error.details?.["extra"] as Record<string, string> | undefined;
  return { status, message: error.message, ...(extra ? { extra } : {}) };
}

export const BIZ_STATUS_KEY = "biz-status";
export const BIZ_MESSAGE_KEY = "biz-message";
export const BIZ_EXTRA_KEY = "biz-extra";

/** Writes a business status into TTHeader string info. */
export function writeBizStatus(info: Map<string, string>, biz: BizStatus): void {
  info.set(BIZ_STATUS_KEY, String(biz.status));
  info.set(BIZ_MESSAGE_KEY, biz.message);
  if (biz.extra) info.set(BIZ_EXTRA_KEY, JSON.stringify(biz.extra));
}

/** Reads a business status from TTHeader string info, if there is one. */
export function readBizStatus(info: ReadonlyMap<string, string>): BizStatus | undefined {
  const status = info.get(BIZ_STATUS_KEY);
  if (status === undefined) return undefined;
  let extra: Record<string, string> | undefined;
  const raw = info.get(BIZ_EXTRA_KEY);
  if (raw) {
    try {
      extra = JSON.parse(raw) as Record<string, string>;
    } catch {
      extra = { raw };
    }
  }
  return { status: Number(status), message: info.get(BIZ_MESSAGE_KEY) ?? "", ...(extra ? { extra } : {}) };
}
