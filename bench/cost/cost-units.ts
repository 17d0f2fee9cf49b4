import type { PRICES_US_EAST_1 } from './prices-us-east-1.ts';

/** Units, services and line shapes the cost model and its parts share. */
export const MONTH_DAYS = 30;
export const SECONDS_PER_DAY = 86_400;
export const MONTH_SECONDS = MONTH_DAYS * SECONDS_PER_DAY;
export const BYTES_PER_GIB = 2 ** 30;
/** Standard-IA and Glacier IR bill objects smaller than this as this size. */
export const COLD_MIN_OBJECT_BYTES = 128 * 1024;

type Widen<T> = T extends string ? string : T extends number ? number : { -readonly [K in keyof T]: Widen<T[K]> };
/** The price table's shape, with any numbers (tests use round ones). */
export type Prices = Widen<typeof PRICES_US_EAST_1>;

export const Service = {
  S3: 'S3',
  LAMBDA: 'Lambda',
  DYNAMODB: 'DynamoDB',
  API_GATEWAY: 'API Gateway',
  KMS: 'KMS',
  SECRETS_MANAGER: 'Secrets Manager',
  DATA_TRANSFER: 'Data transfer out',
  KVS: 'Kinesis Video Streams',
} as const;
export type Service = (typeof Service)[keyof typeof Service];

export const Phase = { RECORDING: 'recording', STORAGE: 'storage', VIEWING: 'viewing', FIXED: 'fixed' } as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

export interface CostLine {
  readonly service: Service;
  readonly phase: Phase;
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly usd: number;
}

export interface CostEstimate {
  readonly lines: readonly CostLine[];
  readonly totalUsd: number;
  /** With packed history: the storage class of packs. */
  readonly packClass?: string;
}

export const sumUsd = (lines: readonly CostLine[]): number => lines.reduce((t, l) => t + l.usd, 0);

export const usdByPhase = (e: CostEstimate, phase: Phase): number => sumUsd(e.lines.filter((l) => l.phase === phase));
