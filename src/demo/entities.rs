//! Demo stage (input side): the curated list of real Colombian territorial entities the synthetic
//! demo interviews. Codes are DANE DIVIPOLA codes (5 digits for municipalities, 2 for
//! departments; leading zeros kept), names are the usual short names, and regions are the six
//! regions of the Plan Nacional de Desarrollo. Only the entities are real: every answer and rating
//! generated about them is synthetic.

/// Kind of territorial entity interviewed by the survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EntityKind {
    /// A municipality's government.
    Alcaldia,
    /// A department's government.
    Gobernacion,
}

impl EntityKind {
    /// Spanish label as written in the canonical CSV's `entity_kind` column.
    pub fn label(self) -> &'static str {
        match self {
            EntityKind::Alcaldia => "alcaldía",
            EntityKind::Gobernacion => "gobernación",
        }
    }
}

/// One territorial entity of the demo population.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entity {
    /// DIVIPOLA code (`"05001"`, or `"05"` for a department).
    pub code: &'static str,
    /// Municipality or department name, e.g. `"Medellín"`.
    pub name: &'static str,
    /// Department name.
    pub department: &'static str,
    /// Short PND region name (one of [`REGIONS`]).
    pub region: &'static str,
    /// Alcaldía or gobernación.
    pub kind: EntityKind,
}

impl Entity {
    /// Name as the survey lists it: "Alcaldía de Medellín", "Gobernación de Antioquia".
    pub fn display_name(&self) -> String {
        match self.kind {
            EntityKind::Alcaldia => format!("Alcaldía de {}", self.name),
            EntityKind::Gobernacion => format!("Gobernación de {}", self.name),
        }
    }
}

/// The six PND regions, in the order reports list them.
pub const REGIONS: [&str; 6] = [
    "Caribe",
    "Centro Oriente",
    "Centro Sur",
    "Eje Cafetero - Antioquia",
    "Llano",
    "Pacífico",
];

const CAR: &str = "Caribe";
const COR: &str = "Centro Oriente";
const CSU: &str = "Centro Sur";
const EJE: &str = "Eje Cafetero - Antioquia";
const LLA: &str = "Llano";
const PAC: &str = "Pacífico";

const fn a(
    code: &'static str,
    name: &'static str,
    department: &'static str,
    region: &'static str,
) -> Entity {
    Entity {
        code,
        name,
        department,
        region,
        kind: EntityKind::Alcaldia,
    }
}

const fn g(code: &'static str, name: &'static str, region: &'static str) -> Entity {
    Entity {
        code,
        name,
        department: name,
        region,
        kind: EntityKind::Gobernacion,
    }
}

/// Every entity the demo can interview (its sampling population), sorted by code.
pub const ENTITIES: &[Entity] = &[
    g("05", "Antioquia", EJE),
    a("05001", "Medellín", "Antioquia", EJE),
    a("05042", "Santa Fe de Antioquia", "Antioquia", EJE),
    a("05045", "Apartadó", "Antioquia", EJE),
    a("05088", "Bello", "Antioquia", EJE),
    a("05154", "Caucasia", "Antioquia", EJE),
    a("05266", "Envigado", "Antioquia", EJE),
    a("05360", "Itagüí", "Antioquia", EJE),
    a("05364", "Jardín", "Antioquia", EJE),
    a("05615", "Rionegro", "Antioquia", EJE),
    a("05736", "Segovia", "Antioquia", EJE),
    a("05756", "Sonsón", "Antioquia", EJE),
    a("05837", "Turbo", "Antioquia", EJE),
    a("05847", "Urrao", "Antioquia", EJE),
    a("05887", "Yarumal", "Antioquia", EJE),
    g("08", "Atlántico", CAR),
    a("08001", "Barranquilla", "Atlántico", CAR),
    a("08433", "Malambo", "Atlántico", CAR),
    a("08638", "Sabanalarga", "Atlántico", CAR),
    a("08758", "Soledad", "Atlántico", CAR),
    a("11001", "Bogotá", "Bogotá D.C.", COR),
    g("13", "Bolívar", CAR),
    a("13001", "Cartagena de Indias", "Bolívar", CAR),
    a("13244", "El Carmen de Bolívar", "Bolívar", CAR),
    a("13430", "Magangué", "Bolívar", CAR),
    a("13468", "Santa Cruz de Mompox", "Bolívar", CAR),
    a("13836", "Turbaco", "Bolívar", CAR),
    g("15", "Boyacá", COR),
    a("15001", "Tunja", "Boyacá", COR),
    a("15176", "Chiquinquirá", "Boyacá", COR),
    a("15238", "Duitama", "Boyacá", COR),
    a("15299", "Garagoa", "Boyacá", COR),
    a("15407", "Villa de Leyva", "Boyacá", COR),
    a("15469", "Moniquirá", "Boyacá", COR),
    a("15572", "Puerto Boyacá", "Boyacá", COR),
    a("15759", "Sogamoso", "Boyacá", COR),
    g("17", "Caldas", EJE),
    a("17001", "Manizales", "Caldas", EJE),
    a("17174", "Chinchiná", "Caldas", EJE),
    a("17380", "La Dorada", "Caldas", EJE),
    a("17614", "Riosucio", "Caldas", EJE),
    a("18001", "Florencia", "Caquetá", CSU),
    a("18753", "San Vicente del Caguán", "Caquetá", CSU),
    g("19", "Cauca", PAC),
    a("19001", "Popayán", "Cauca", PAC),
    a("19256", "El Tambo", "Cauca", PAC),
    a("19318", "Guapi", "Cauca", PAC),
    a("19573", "Puerto Tejada", "Cauca", PAC),
    a("19698", "Santander de Quilichao", "Cauca", PAC),
    a("20001", "Valledupar", "Cesar", CAR),
    a("20011", "Aguachica", "Cesar", CAR),
    a("20013", "Agustín Codazzi", "Cesar", CAR),
    a("23001", "Montería", "Córdoba", CAR),
    a("23417", "Lorica", "Córdoba", CAR),
    a("23660", "Sahagún", "Córdoba", CAR),
    a("23807", "Tierralta", "Córdoba", CAR),
    g("25", "Cundinamarca", COR),
    a("25175", "Chía", "Cundinamarca", COR),
    a("25269", "Facatativá", "Cundinamarca", COR),
    a("25290", "Fusagasugá", "Cundinamarca", COR),
    a("25307", "Girardot", "Cundinamarca", COR),
    a("25386", "La Mesa", "Cundinamarca", COR),
    a("25513", "Pacho", "Cundinamarca", COR),
    a("25754", "Soacha", "Cundinamarca", COR),
    a("25843", "Villa de San Diego de Ubaté", "Cundinamarca", COR),
    a("25875", "Villeta", "Cundinamarca", COR),
    a("25899", "Zipaquirá", "Cundinamarca", COR),
    g("27", "Chocó", PAC),
    a("27001", "Quibdó", "Chocó", PAC),
    a("27075", "Bahía Solano", "Chocó", PAC),
    a("27361", "Istmina", "Chocó", PAC),
    a("27495", "Nuquí", "Chocó", PAC),
    a("27615", "Riosucio", "Chocó", PAC),
    g("41", "Huila", CSU),
    a("41001", "Neiva", "Huila", CSU),
    a("41298", "Garzón", "Huila", CSU),
    a("41396", "La Plata", "Huila", CSU),
    a("41551", "Pitalito", "Huila", CSU),
    a("44001", "Riohacha", "La Guajira", CAR),
    a("44430", "Maicao", "La Guajira", CAR),
    a("44847", "Uribia", "La Guajira", CAR),
    g("47", "Magdalena", CAR),
    a("47001", "Santa Marta", "Magdalena", CAR),
    a("47189", "Ciénaga", "Magdalena", CAR),
    a("47288", "Fundación", "Magdalena", CAR),
    g("50", "Meta", LLA),
    a("50001", "Villavicencio", "Meta", LLA),
    a("50006", "Acacías", "Meta", LLA),
    a("50313", "Granada", "Meta", LLA),
    a("50568", "Puerto Gaitán", "Meta", LLA),
    a("50573", "Puerto López", "Meta", LLA),
    g("52", "Nariño", PAC),
    a("52001", "Pasto", "Nariño", PAC),
    a("52079", "Barbacoas", "Nariño", PAC),
    a("52356", "Ipiales", "Nariño", PAC),
    a("52835", "Tumaco", "Nariño", PAC),
    a("52838", "Túquerres", "Nariño", PAC),
    a("54001", "Cúcuta", "Norte de Santander", COR),
    a("54498", "Ocaña", "Norte de Santander", COR),
    a("54518", "Pamplona", "Norte de Santander", COR),
    a("54810", "Tibú", "Norte de Santander", COR),
    a("54874", "Villa del Rosario", "Norte de Santander", COR),
    a("63001", "Armenia", "Quindío", EJE),
    a("63130", "Calarcá", "Quindío", EJE),
    a("66001", "Pereira", "Risaralda", EJE),
    a("66594", "Quinchía", "Risaralda", EJE),
    a("66682", "Santa Rosa de Cabal", "Risaralda", EJE),
    g("68", "Santander", COR),
    a("68001", "Bucaramanga", "Santander", COR),
    a("68081", "Barrancabermeja", "Santander", COR),
    a("68276", "Floridablanca", "Santander", COR),
    a("68432", "Málaga", "Santander", COR),
    a("68547", "Piedecuesta", "Santander", COR),
    a("68679", "San Gil", "Santander", COR),
    a("68755", "Socorro", "Santander", COR),
    a("68861", "Vélez", "Santander", COR),
    a("70001", "Sincelejo", "Sucre", CAR),
    a("70215", "Corozal", "Sucre", CAR),
    a("70708", "San Marcos", "Sucre", CAR),
    g("73", "Tolima", CSU),
    a("73001", "Ibagué", "Tolima", CSU),
    a("73168", "Chaparral", "Tolima", CSU),
    a("73268", "Espinal", "Tolima", CSU),
    a("73349", "Honda", "Tolima", CSU),
    a("73411", "Líbano", "Tolima", CSU),
    a("73443", "San Sebastián de Mariquita", "Tolima", CSU),
    g("76", "Valle del Cauca", PAC),
    a("76001", "Cali", "Valle del Cauca", PAC),
    a("76109", "Buenaventura", "Valle del Cauca", PAC),
    a("76111", "Guadalajara de Buga", "Valle del Cauca", PAC),
    a("76147", "Cartago", "Valle del Cauca", PAC),
    a("76364", "Jamundí", "Valle del Cauca", PAC),
    a("76520", "Palmira", "Valle del Cauca", PAC),
    a("76834", "Tuluá", "Valle del Cauca", PAC),
    a("81001", "Arauca", "Arauca", LLA),
    a("81736", "Saravena", "Arauca", LLA),
    a("81794", "Tame", "Arauca", LLA),
    g("85", "Casanare", LLA),
    a("85001", "Yopal", "Casanare", LLA),
    a("85010", "Aguazul", "Casanare", LLA),
    a("85250", "Paz de Ariporo", "Casanare", LLA),
    g("86", "Putumayo", CSU),
    a("86001", "Mocoa", "Putumayo", CSU),
    a("86568", "Puerto Asís", "Putumayo", CSU),
    a(
        "88001",
        "San Andrés",
        "Archipiélago de San Andrés, Providencia y Santa Catalina",
        CAR,
    ),
    a("91001", "Leticia", "Amazonas", CSU),
    a("91540", "Puerto Nariño", "Amazonas", CSU),
    a("94001", "Inírida", "Guainía", LLA),
    a("95001", "San José del Guaviare", "Guaviare", LLA),
    a("99001", "Puerto Carreño", "Vichada", LLA),
];

/// Looks an entity up by its DIVIPOLA code.
pub fn find(code: &str) -> Option<&'static Entity> {
    ENTITIES.iter().find(|e| e.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_sorted_and_well_formed() {
        for w in ENTITIES.windows(2) {
            assert!(w[0].code < w[1].code, "{} !< {}", w[0].code, w[1].code);
        }
        for e in ENTITIES {
            let want = match e.kind {
                EntityKind::Alcaldia => 5,
                EntityKind::Gobernacion => 2,
            };
            assert_eq!(e.code.len(), want, "{}", e.code);
            assert!(e.code.bytes().all(|b| b.is_ascii_digit()));
            assert!(REGIONS.contains(&e.region), "{}", e.region);
        }
    }

    #[test]
    fn municipalities_agree_with_their_department() {
        for e in ENTITIES.iter().filter(|e| e.kind == EntityKind::Alcaldia) {
            if let Some(dep) = find(&e.code[..2]) {
                assert_eq!(dep.name, e.department, "{}", e.code);
                assert_eq!(dep.region, e.region, "{}", e.code);
            }
        }
    }

    #[test]
    fn population_size_and_regions() {
        let alcaldias = ENTITIES
            .iter()
            .filter(|e| e.kind == EntityKind::Alcaldia)
            .count();
        let gobernaciones = ENTITIES.len() - alcaldias;
        assert!((120..=140).contains(&alcaldias), "{alcaldias}");
        assert!((13..=20).contains(&gobernaciones), "{gobernaciones}");
        for r in REGIONS {
            assert!(
                ENTITIES.iter().filter(|e| e.region == r).count() >= 10,
                "{r}"
            );
        }
    }

    #[test]
    fn display_names() {
        assert_eq!(
            find("05001").map(|e| e.display_name()).as_deref(),
            Some("Alcaldía de Medellín")
        );
        assert_eq!(
            find("05").map(|e| e.display_name()).as_deref(),
            Some("Gobernación de Antioquia")
        );
    }
}
