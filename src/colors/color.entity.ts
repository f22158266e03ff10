import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('colors')
export class Color {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: number;
  @Column({ type: 'varchar', length: 100 }) name!: string;
  /** Hex code such as `#87CEEB`. */
  @Column({ type: 'varchar', length: 25, default: '#FF0000' }) color!: string;
}
