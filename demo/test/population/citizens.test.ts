import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ageOn } from '../../src/population/dates.ts';
import {
  CITIZENS,
  DEFAULT_SEED,
  DEMO_PERSONAS,
  findCitizen,
  formatAddress,
  generatePopulation,
  householdOf,
  households,
} from '../../src/population/citizens.ts';
import { isValidNationalIdChecksum } from '../../src/population/national-id.ts';
import { findCity } from '../../src/population/places.ts';

describe('generatePopulation', () => {
  it('is deterministic', () => {
    assert.deepEqual(generatePopulation(), generatePopulation());
    assert.deepEqual(generatePopulation(DEFAULT_SEED), CITIZENS);
  });

  it('keeps the personas fixed while another seed changes everyone else', () => {
    const other = generatePopulation(7);
    assert.notDeepEqual(other, CITIZENS);
    for (const persona of DEMO_PERSONAS) {
      assert.deepEqual(findCitizen(persona.nationalId, other), findCitizen(persona.nationalId));
    }
  });

  it('has at least 60 citizens in at least 20 households, some of one person', () => {
    assert.ok(CITIZENS.length >= 60, `${CITIZENS.length} citizens`);
    const all = households();
    assert.ok(all.length >= 20, `${all.length} households`);
    assert.ok(all.some((h) => h.members.length === 1));
    assert.ok(all.some((h) => h.members.some((m) => m.relationship === '父' || m.relationship === '母')));
  });

  it('gives every citizen a unique, checksum-valid ID whose letter is their registration city', () => {
    const ids = CITIZENS.map((c) => c.nationalId);
    assert.equal(new Set(ids).size, ids.length);
    for (const citizen of CITIZENS) {
      assert.ok(isValidNationalIdChecksum(citizen.nationalId), citizen.nationalId);
      assert.equal(citizen.nationalId[0], findCity(citizen.address.city).letter);
      assert.equal(citizen.nationalId[1], citizen.sex === 'M' ? '1' : '2');
    }
  });

  it('stays valid for other seeds too', () => {
    for (const seed of [1, 2, 3, 99, 123456]) {
      const population = generatePopulation(seed);
      assert.ok(population.length >= 60);
      assert.equal(new Set(population.map((c) => c.nationalId)).size, population.length);
      assert.ok(population.every((c) => isValidNationalIdChecksum(c.nationalId)));
    }
  });

  it('starts with 王小明 A123456789 as documented', () => {
    const first = CITIZENS[0];
    assert.ok(first);
    assert.equal(first.nationalId, 'A123456789');
    assert.equal(first.name, '王小明');
    assert.equal(first.sex, 'M');
    assert.equal(first.birthDate.slice(0, 4), '1985');
    assert.equal(first.address.city, '臺北市');
    assert.ok(first.occupation);
    assert.ok(first.vehicles.some((v) => v.kind === 'car'));
    assert.ok(first.vehicles.some((v) => v.kind === 'scooter'));
    assert.ok(first.land.length > 0);
  });

  it('has 林美華 B287654326 in a low-income household in 臺中市', () => {
    const lin = findCitizen('B287654326');
    assert.ok(lin);
    assert.equal(lin.name, '林美華');
    assert.equal(lin.sex, 'F');
    assert.equal(lin.address.city, '臺中市');
    for (const member of householdOf(lin).members) {
      assert.ok(
        member.lowIncome.some((c) => c.validTo >= '2026-11-01'),
        member.name,
      );
    }
    assert.deepEqual(
      DEMO_PERSONAS.map((p) => [p.nationalId, p.name]),
      [
        ['A123456789', '王小明'],
        ['B287654326', '林美華'],
      ],
    );
  });

  it('keeps each household consistent: one head, one address, parents named on children', () => {
    for (const household of households()) {
      assert.equal(household.members.filter((m) => m.relationship === '戶長').length, 1);
      assert.equal(household.members[0], household.head);
      assert.equal(new Set(household.members.map((m) => formatAddress(m.address))).size, 1);
      const spouse = household.members.find((m) => m.relationship === '配偶');
      if (spouse) {
        assert.equal(spouse.spouseName, household.head.name);
        assert.equal(household.head.spouseName, spouse.name);
        assert.notEqual(spouse.sex, household.head.sex);
      }
      const parents = [household.head, spouse];
      for (const child of household.members.filter((m) => m.relationship === '子' || m.relationship === '女')) {
        assert.equal(child.relationship === '子', child.sex === 'M');
        const father = parents.find((p) => p?.sex === 'M');
        const mother = parents.find((p) => p?.sex === 'F');
        if (father) assert.equal(child.fatherName, father.name);
        if (mother) assert.equal(child.motherName, mother.name);
        for (const parent of parents) {
          if (parent) assert.ok(ageOn(parent.birthDate) - ageOn(child.birthDate) >= 18, `${parent.name} / ${child.name}`);
        }
      }
      for (const member of household.members) assert.ok(member.registeredOn >= member.birthDate);
    }
  });

  it('gives names in Traditional Chinese and passport romanisation', () => {
    for (const citizen of CITIZENS) {
      assert.match(citizen.name, /^[\u4e00-\u9fff]{2,4}$/);
      assert.match(citizen.romanisedName, /^[A-Z]+, [A-Z]+(-[A-Z]+)*$/);
    }
    assert.equal(CITIZENS[0]?.romanisedName, 'WANG, HSIAO-MING');
  });

  it('keeps jobs in order and non-overlapping, with at most one current job', () => {
    for (const citizen of CITIZENS) {
      const jobs = citizen.employments;
      assert.ok(jobs.filter((j) => j.end === null).length <= 1);
      jobs.forEach((job, i) => {
        if (job.end !== null) assert.ok(job.start <= job.end, citizen.name);
        const next = jobs[i + 1];
        if (next) assert.ok(job.end !== null && job.end < next.start, citizen.name);
      });
      assert.equal(citizen.occupation, jobs.find((j) => j.end === null)?.jobTitle ?? null);
    }
  });

  it('shares the frozen default population', () => {
    assert.ok(Object.isFrozen(CITIZENS));
    assert.ok(Object.isFrozen(CITIZENS[0]?.address));
  });
});
