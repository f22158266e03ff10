import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KitTypeInvalidation } from './kit-type.invalidation';
import { KitType } from './kit-type.entity';
import { KitTypesController } from './kit-types.controller';
import { KitTypesRepository } from './kit-types.repository';
import { KitTypesService } from './kit-types.service';

@Module({
  imports: [TypeOrmModule.forFeature([KitType])],
  controllers: [KitTypesController],
  providers: [KitTypeInvalidation, KitTypesRepository, KitTypesService],
  exports: [KitTypesService],
})
export class KitTypesModule {}
