import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClubsModule } from '../clubs/clubs.module';
import { Season } from './season.entity';
import { SeasonInvalidation } from './season.invalidation';
import { SeasonsController } from './seasons.controller';
import { SeasonsRepository } from './seasons.repository';
import { SeasonsService } from './seasons.service';

@Module({
  imports: [TypeOrmModule.forFeature([Season]), ClubsModule],
  controllers: [SeasonsController],
  providers: [SeasonsRepository, SeasonsService, SeasonInvalidation],
  exports: [SeasonsRepository],
})
export class SeasonsModule {}
