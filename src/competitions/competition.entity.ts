import { bigintTransformer } from '../common/transformers/numeric.transformer';
import { Column, Entity } from 'typeorm';

@Entity('competitions')
export class Competition {
  @Column({ type: 'bigint', primary: true, generated: 'increment', transformer: bigintTransformer })
  id!: number;
  @Column({ type: 'varchar', length: 100 }) name!: string;
  @Column({ type: 'varchar', length: 150, unique: true }) slug!: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) logo!: string | null;
  @Column({ name: 'logo_dark', type: 'varchar', length: 200, nullable: true }) logoDark!: string | null;
  /** ISO 3166-1 alpha-2. */
  @Column({ type: 'char', length: 2, nullable: true }) country!: string | null;
}
