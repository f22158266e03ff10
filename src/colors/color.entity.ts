import { bigintTransformer } from '../common/transformers/numeric.transformer';
import { Column, Entity } from 'typeorm';

@Entity('colors')
export class Color {
  @Column({ type: 'bigint', primary: true, generated: 'increment', transformer: bigintTransformer })
  id!: number;
  @Column({ type: 'varchar', length: 100 }) name!: string;
  /** Hex code such as `#87CEEB`. */
  @Column({ type: 'varchar', length: 25, default: '#FF0000' }) color!: string;
}
