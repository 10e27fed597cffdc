// Household register data sets (內政部戶政司): personal record, whole household, ID card.
import type { Citizen } from './citizen.ts';
import { formatAddress } from './citizen.ts';
import { householdOf } from './citizens.ts';
import type { FieldValue } from './dataset-fields.ts';
import { idCardPngBase64 } from './id-card-image.ts';

type Row = Record<string, FieldValue>;

function sexName(citizen: Citizen): string {
  return citizen.sex === 'M' ? '男' : '女';
}

export function householdPersonal(citizen: Citizen): Row[] {
  return [
    {
      name: citizen.name,
      romanised_name: citizen.romanisedName,
      national_id: citizen.nationalId,
      birth_date: citizen.birthDate,
      sex: sexName(citizen),
      address: formatAddress(citizen.address),
      household_id: citizen.householdId,
      relationship: citizen.relationship,
      registration_date: citizen.registeredOn,
      father_name: citizen.fatherName,
      mother_name: citizen.motherName,
      spouse_name: citizen.spouseName,
    },
  ];
}

export function householdWhole(citizen: Citizen, population: readonly Citizen[]): Row[] {
  const household = householdOf(citizen, population);
  const address = formatAddress(household.address);
  return household.members.map((member) => ({
    household_id: household.id,
    name: member.name,
    national_id: member.nationalId,
    relationship: member.relationship,
    sex: sexName(member),
    birth_date: member.birthDate,
    address,
    registration_date: member.registeredOn,
  }));
}

export function idCardImage(citizen: Citizen): Row[] {
  if (!citizen.idCard) return [];
  return [
    {
      name: citizen.name,
      national_id: citizen.nationalId,
      issue_date: citizen.idCard.issued,
      issue_place: citizen.idCard.place,
      issue_type: citizen.idCard.type,
      image_png: idCardPngBase64(),
    },
  ];
}
