import { bigintTransformer } from '../common/transformers/numeric.transformer';
import { Column, Entity } from 'typeorm';

@Entity('brands')
export class Brand {
  @Column({ type: 'bigint', primary: true, generated: 'increment', transformer: bigintTransformer })
  id!: number;
  @Column({ type: 'varchar', length: 100 }) name!: string;
  @Column({ type: 'varchar', length: 150, unique: true }) slug!: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) logo!: string | null;
  @Column({ name: 'logo_dark', type: 'varchar', length: 200, nullable: true }) logoDark!: string | null;
}
