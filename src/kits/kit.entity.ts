import { Column, Entity, JoinColumn, JoinTable, ManyToMany, ManyToOne, UpdateDateColumn } from 'typeorm';
import { Brand } from '../brands/brand.entity';
import { Club } from '../clubs/club.entity';
import { Color } from '../colors/color.entity';
import { Competition } from '../competitions/competition.entity';
import { bigintTransformer, numericTransformer } from '../common/transformers/numeric.transformer';
import { KitType } from '../kit-types/kit-type.entity';
import { Season } from '../seasons/season.entity';

/**
 * One shirt of a club for a season and kit type. Foreign keys are mapped both as relations (for
 * joins) and as plain columns (so a write can set an id without loading the row, and the
 * invalidation subscriber can read old and new ids from the entity it is given).
 */
@Entity('kits')
export class Kit {
  @Column({ type: 'bigint', primary: true, generated: 'increment', transformer: bigintTransformer })
  id!: number;
  @Column({ type: 'varchar', length: 100 }) name!: string;
  @Column({ type: 'varchar', length: 150, unique: true }) slug!: string;
  /** Numeric id on the source site. */
  @Column({ name: 'kit_id', type: 'varchar', length: 20, nullable: true }) sourceKitId!: string | null;

  @Column({ name: 'team_id', type: 'bigint', transformer: bigintTransformer }) teamId!: number;
  @ManyToOne(() => Club, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'team_id' })
  team?: Club;

  @Column({ name: 'season_id', type: 'bigint', transformer: bigintTransformer }) seasonId!: number;
  @ManyToOne(() => Season, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'season_id' })
  season?: Season;

  @Column({ name: 'type_id', type: 'bigint', transformer: bigintTransformer }) typeId!: number;
  @ManyToOne(() => KitType, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'type_id' })
  type?: KitType;

  @Column({ name: 'brand_id', type: 'bigint', transformer: bigintTransformer }) brandId!: number;
  @ManyToOne(() => Brand, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'brand_id' })
  brand?: Brand;

  @ManyToMany(() => Competition)
  @JoinTable({
    name: 'kit_competitions',
    joinColumn: { name: 'kit_id', referencedColumnName: 'id' },
    inverseJoinColumn: { name: 'competition_id', referencedColumnName: 'id' },
  })
  competitions?: Competition[];

  @Column({ name: 'main_img_url', type: 'varchar', length: 200 }) mainImgUrl!: string;
  @Column({ type: 'numeric', precision: 3, scale: 2, default: 0, transformer: numericTransformer })
  rating!: number;
  @Column({ name: 'fh_link', type: 'varchar', length: 200, nullable: true }) fhLink!: string | null;
  @Column({ name: 'web_updated', type: 'timestamptz', nullable: true }) webUpdated!: Date | null;
  @UpdateDateColumn({ name: 'last_updated', type: 'timestamptz' }) lastUpdated!: Date;

  @Column({ name: 'primary_color_id', type: 'bigint', nullable: true, transformer: bigintTransformer })
  primaryColorId!: number | null;
  @ManyToOne(() => Color, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'primary_color_id' })
  primaryColor?: Color | null;

  @ManyToMany(() => Color)
  @JoinTable({
    name: 'kit_secondary_colors',
    joinColumn: { name: 'kit_id', referencedColumnName: 'id' },
    inverseJoinColumn: { name: 'color_id', referencedColumnName: 'id' },
  })
  secondaryColors?: Color[];

  @Column({ type: 'varchar', length: 100, nullable: true }) design!: string | null;
}
