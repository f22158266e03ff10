import { bigintTransformer } from '../common/transformers/numeric.transformer';
import { Column, Entity } from 'typeorm';

@Entity('clubs')
export class Club {
  @Column({ type: 'bigint', primary: true, generated: 'increment', transformer: bigintTransformer })
  id!: number;
  /** Id on footballkitarchive.com. */
  @Column({ name: 'id_fka', type: 'integer', nullable: true }) idFka!: number | null;
  @Column({ type: 'varchar', length: 500 }) name!: string;
  @Column({ type: 'varchar', length: 150, unique: true }) slug!: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) logo!: string | null;
  @Column({ name: 'logo_dark', type: 'varchar', length: 200, nullable: true }) logoDark!: string | null;
  @Column({ type: 'char', length: 2, nullable: true }) country!: string | null;
}
