import { bigintTransformer } from '../common/transformers/numeric.transformer';
import { Column, Entity } from 'typeorm';

export const KIT_TYPE_CATEGORIES = [
  'match',
  'prematch',
  'preseason',
  'training',
  'travel',
  'jacket',
] as const;
export type KitTypeCategory = (typeof KIT_TYPE_CATEGORIES)[number];

/** "Home", "Away", "GK Home", "Training"… (`Type_K` in the original). */
@Entity('kit_types')
export class KitType {
  @Column({ type: 'bigint', primary: true, generated: 'increment', transformer: bigintTransformer })
  id!: number;
  @Column({ type: 'varchar', length: 100 }) name!: string;
  @Column({ type: 'varchar', length: 20, default: 'match' }) category!: KitTypeCategory;
  @Column({ name: 'category_order', type: 'integer', default: 1 }) categoryOrder!: number;
  @Column({ name: 'order_priority', type: 'integer', default: 999 }) orderPriority!: number;
  @Column({ name: 'is_goalkeeper', type: 'boolean', default: false }) isGoalkeeper!: boolean;
}
