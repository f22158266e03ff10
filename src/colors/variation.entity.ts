import { bigintTransformer } from '../common/transformers/numeric.transformer';
import { Column, Entity, JoinColumn, ManyToOne, RelationId } from 'typeorm';
import { Color } from './color.entity';

/** A shade of a base colour; kept for parity with the original model, not exposed by the API. */
@Entity('variations')
export class Variation {
  @Column({ type: 'bigint', primary: true, generated: 'increment', transformer: bigintTransformer })
  id!: number;
  @Column({ type: 'varchar', length: 100 }) name!: string;
  @ManyToOne(() => Color, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'parent_color_id' })
  parentColor!: Color;
  @RelationId((v: Variation) => v.parentColor) parentColorId!: number;
  @Column({ type: 'varchar', length: 25, default: '#FF0000' }) color!: string;
  @Column({ name: 'color_r', type: 'integer', default: 0 }) colorR!: number;
  @Column({ name: 'color_g', type: 'integer', default: 0 }) colorG!: number;
  @Column({ name: 'color_b', type: 'integer', default: 0 }) colorB!: number;
}
