import { DataSource } from 'typeorm';

export function loadDemoDataOnce(_dataSource: DataSource): Promise<{ kits: number; clubs: number } | null> {
  return Promise.resolve(null);
}
