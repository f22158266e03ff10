import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClubsModule } from '../clubs/clubs.module';
import { ColorsModule } from '../colors/colors.module';
import { KitTypesModule } from '../kit-types/kit-types.module';
import { Kit } from './kit.entity';
import { KitInvalidation, KitsDeletedWithParent } from './kit.invalidation';
import { KitsController } from './kits.controller';
import { KitsRepository } from './kits.repository';
import { KitsService } from './kits.service';

@Module({
  imports: [TypeOrmModule.forFeature([Kit]), ClubsModule, KitTypesModule, ColorsModule],
  controllers: [KitsController],
  providers: [KitsRepository, KitsService, KitInvalidation, KitsDeletedWithParent],
  exports: [KitsRepository],
})
export class KitsModule {}
