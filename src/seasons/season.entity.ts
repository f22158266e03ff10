import { bigintTransformer } from '../common/transformers/numeric.transformer';
import { Column, Entity } from 'typeorm';

/** "2024" or "2024-25". Years are strings, compared and sorted as such (as in the original). */
@Entity('seasons')
export class Season {
  @Column({ type: 'bigint', primary: true, generated: 'increment', transformer: bigintTransformer })
  id!: number;
  @Column({ type: 'varchar', length: 9, unique: true }) year!: string;
  @Column({ name: 'first_year', type: 'varchar', length: 4 }) firstYear!: string;
  @Column({ name: 'second_year', type: 'varchar', length: 4, nullable: true }) secondYear!: string | null;
}
