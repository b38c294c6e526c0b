//! Demo stage (input side): the hand-written bank of synthetic answers the demo generator draws
//! from. Every text here was written for codifica's demo in the way municipal and departmental
//! officials answer a phone survey (colloquial, sometimes with typos or missing accents); none is
//! a real respondent's answer. Each answer is filed under the code an analyst would give it;
//! `AMBIGUOUS` answers could reasonably take either of two codes.

/// Answers that carry one code's meaning.
pub(crate) struct Bank {
    /// Code id from the question's codebook.
    pub code: &'static str,
    /// Distinct answers carrying that code.
    pub answers: &'static [&'static str],
}

/// An answer an analyst could code either way.
pub(crate) struct Ambiguous {
    pub text: &'static str,
    pub codes: [&'static str; 2],
}

/// Non-answers: never coded.
pub(crate) const NON_ANSWERS: &[&str] = &[
    "No sabe",
    "Sin respuesta",
    "NS/NR",
    "No responde",
    "No sabe / no responde",
    "No tengo conocimiento de eso, soy nuevo en el cargo",
    "Prefiere no opinar",
    "no se",
];

/// Answers to `articulacion_instrumentos`, by code.
pub(crate) const ARTICULACION: &[Bank] = &[
    Bank {
        code: "integralidad",
        answers: &[
            "Sí, porque nos ayudó a entender que el plan de desarrollo no es un documento suelto sino que va amarrado al plan indicativo, al plan de acción y al presupuesto.",
            "Si claro, uno ve todo el ciclo completo, desde el diagnóstico hasta el seguimiento.",
            "Sí contribuye. Antes cada cosa se hacía por aparte y ahora entendemos cómo se conecta una con otra, el PDT con el POAI y con el plan financiero.",
            "Pues sí, la profesional del DNP nos explicó el proceso de principio a fin, eso es lo que más se valora.",
            "Si porque da una vision integral de la planeacion, no solo el PDT sino todo lo que viene despues",
            "Sí, nos dejó ver el panorama completo. Uno a veces se enfoca en el plan de desarrollo y se olvida que después viene el seguimiento y la rendición de cuentas.",
            "Sí señora, con el KPT uno entiende la ruta completa: diagnóstico, parte estratégica, plan de inversiones, y cómo eso después se vuelve plan indicativo.",
            "Claro que sí. Entendimos que los instrumentos son una cadena, si falla uno fallan todos.",
            "Sí, porque ahora tenemos claro el hilo conductor entre lo que se prometió en el programa de gobierno, lo que quedó en el plan y lo que se va a ejecutar.",
            "Si contribuye, sobre todo para entender como se relaciona el plan de ordenamiento con el plan de desarrollo, eso nadie nos lo habia explicado",
            "Sí. Las capacitaciones mostraron el ciclo de la gestión pública completo y eso le sirve a uno para no perderse.",
            "Sí, mucho. El enlace nos mostró que el presupuesto tiene que salir del plan y no al revés, que es como se venía haciendo aquí.",
            "Considero que sí porque se ve la planeación como un todo, no por pedacitos.",
            "Sí, porque uno entiende para qué sirve cada instrumento y en qué momento del cuatrienio se usa.",
            "Si, ayuda a ver que el plan indicativo, el plan de accion y el POAI son parte del mismo proceso.",
            "Sí contribuye. En la gobernación logramos ver la planeación departamental y la de los municipios como un solo sistema.",
            "Sí, nos ayudaron a ver cómo lo que uno reporta en el seguimiento se devuelve a la planeación del año siguiente, eso cierra el ciclo.",
            "sí, la verdad uno entiende el proceso completo de la planeación territorial",
            "Sí, porque la asistencia no se quedó en el formulario, explicaron la lógica de todo el proceso: cadena de valor, indicadores, metas, recursos.",
            "Claro, con la cadena de valor entendimos cómo se amarran los productos con los resultados y con la plata.",
            "Sí. Antes veíamos el plan como un requisito para el concejo y ya, ahora entendemos que es la columna vertebral de toda la gestión.",
            "Si porque integra todo: el diagnostico, las metas, el plan plurianual y el seguimiento, uno ya no lo ve separado",
            "Sí contribuye, nos dio una mirada de conjunto, de cómo encajan las piezas.",
            "Sí, porque en las mesas con el DNP se revisó el plan completo y no solo un capítulo.",
            "Pues sí, yo diría que sí, porque uno aprende que la planeación es un ciclo y no un evento de cada cuatro años.",
            "Sí, la metodología del KPT obliga a pensar todo el proceso de manera integral, desde el diagnóstico hasta la evaluación.",
            "Sí, se entiende mejor la relación entre los ODS, el plan nacional, el plan departamental y el nuestro.",
        ],
    },
    Bank {
        code: "articulacion_dependencias",
        answers: &[
            "Sí, porque logramos que todas las secretarías trabajaran sobre el mismo documento y no cada una por su lado.",
            "Sí, ahora el plan de acción de cada secretaría sale del plan indicativo, ya están alineados.",
            "Si, se hicieron mesas de trabajo con hacienda, planeación y las demás dependencias y eso ayudó a cuadrar todo.",
            "Sí contribuye, porque se articuló el POAI con las metas del plan, antes no cuadraban.",
            "Sí, la asistencia sirvió para sentar a hacienda y a planeación en la misma mesa, que eso aquí no es fácil.",
            "Sí, porque se alinearon los instrumentos: plan de desarrollo, plan indicativo, plan de acción y presupuesto quedaron hablando el mismo idioma.",
            "Si señor, las secretarias se coordinan mejor para reportar y para programar",
            "Sí, el profesional del DNP nos ayudó a articular el plan territorial de salud y el plan de educación con el PDT.",
            "Sí. Se logró que las metas de cada dependencia quedaran amarradas a un rubro presupuestal.",
            "Sí, porque ahora hay coordinación entre las dependencias para el seguimiento, cada una sabe qué le toca.",
            "Claro, ayudó a que el plan de desarrollo quedara articulado con el plan de ordenamiento y con el plan de gestión del riesgo.",
            "Sí contribuye, sobre todo en la articulación con el plan departamental, se revisaron las metas compartidas con la gobernación.",
            "Si porque obliga a que todas las dependencias participen, no es solo la oficina de planeacion",
            "Sí, ahora los secretarios de despacho se reúnen a revisar el avance del plan juntos, cosa que antes no pasaba.",
            "Sí, porque se armonizó el presupuesto con el plan y las secretarías ajustaron sus proyectos.",
            "Sí, en la gobernación logramos articular los instrumentos de las sectoriales con el plan departamental.",
            "Sí, con la asistencia las dependencias entendieron que el plan de acción no se inventa sino que sale del indicativo.",
            "Sí, hubo trabajo conjunto con todas las secretarías y quedamos con los instrumentos alineados.",
            "si contribuye porque articula a todos los sectores alrededor de las metas del plan",
            "Sí. La verdad antes hacienda hacía su presupuesto y planeación su plan y nunca se encontraban. Ahora sí hay articulación.",
            "Sí, se logró alinear el banco de proyectos con los programas del plan de desarrollo.",
            "Sí, ayudó a coordinar a las secretarías para el cargue del plan indicativo en la plataforma.",
            "Sí, porque se crearon espacios de trabajo entre dependencias, el consejo de gobierno ahora revisa el plan.",
            "Considero que sí, se articularon el plan de desarrollo con los planes sectoriales y con lo que pide el plan nacional.",
            "Sí, la asistencia sirvió para que el concejo, hacienda y planeación estuvieran en la misma página con el plan plurianual.",
            "Sí porque logramos que salud, educación y gobierno reportaran con la misma matriz.",
            "Sí, se armonizaron las metas del PDT con las del plan departamental y con los pactos territoriales.",
        ],
    },
    Bank {
        code: "apropiacion_temas",
        answers: &[
            "Sí, porque el equipo aprendió bastante, ahora entendemos conceptos como cadena de valor, indicador de producto y de resultado.",
            "Sí, nos capacitaron y ya el equipo de planeación maneja los temas sin necesidad de estar preguntando todo.",
            "Sí, la verdad aprendimos mucho, sobre todo los que llegamos nuevos a la administración.",
            "Si, quedaron claros los conceptos, ya sabemos formular un indicador bien formulado",
            "Sí, porque uno se apropia de los temas y después los puede explicar a las otras dependencias.",
            "Sí contribuye, el personal de planeación se apropió de la metodología.",
            "Sí, porque las capacitaciones fueron muy claras y el conocimiento se quedó en la entidad.",
            "Sí, ahora entendemos términos que antes ni conocíamos, línea base, meta de cuatrienio, todo eso.",
            "Sí, aprendimos a manejar el KPT y el tema de los indicadores, eso ya lo hacemos nosotros.",
            "Si señora porque se aprende, uno queda con los conceptos claros para aplicarlos",
            "Sí, las sesiones sirvieron para que el equipo se empoderara de los temas de planeación.",
            "Sí, en lo personal aprendí muchísimo del tema de seguimiento y lo estoy aplicando.",
            "Sí, porque no es solo que le digan a uno qué hacer, sino que le explican el porqué, entonces uno entiende.",
            "Sí, el equipo ya domina el tema del plan indicativo, antes dependíamos de un contratista.",
            "Sí, mejoró el conocimiento del equipo en planeación estratégica.",
            "Claro que sí, los funcionarios entienden mejor la normatividad, la ley 152 y todo eso.",
            "Sí. La gente de las secretarías ya habla de metas e indicadores con propiedad.",
            "Sí contribuye, porque uno aprende haciendo, con el acompañamiento del profesional del DNP.",
            "Si, aprendimos a usar las herramientas y ahora lo hacemos solos",
            "Sí, ha servido para que nos apropiemos de los temas, la primera vez fue difícil pero ya le cogimos el tiro.",
            "Sí, el conocimiento técnico que dejan es muy bueno, sobre todo en indicadores y metas.",
            "Sí, los talleres fueron muy didácticos y la gente quedó entendiendo.",
            "Sí, porque el equipo nuevo de la administración no tenía experiencia y con la asistencia se apropió de los temas.",
            "Sí, yo diría que el mayor aporte es el aprendizaje, ya sabemos cómo se hace.",
            "Sí, los conceptos de planeación quedaron claros para todo el equipo técnico.",
            "Sí, ya entendemos el lenguaje del DNP, antes nos hablaban y uno no sabía ni qué era una MGA.",
        ],
    },
    Bank {
        code: "seguimiento_no_asistencia",
        answers: &[
            "Pues la verdad se siente más como un seguimiento, llaman es a pedir reportes y no a asesorar.",
            "No mucho, porque lo que hacen es revisar y exigir, pero cuando uno tiene una duda no hay quién responda.",
            "Más que asistencia es control, nos llaman para preguntar si ya cargamos la información.",
            "Regular, porque se volvió solo pedir información, que mande esto, que mande lo otro.",
            "No, la sentimos más como una auditoría que como un acompañamiento.",
            "Pues es más seguimiento que asistencia, vienen a verificar que cumplamos, pero no a ayudarnos a cumplir.",
            "La verdad es más vigilancia, cada semana piden un reporte distinto.",
            "No tanto, el enlace llama es a recordar fechas y a pedir formatos diligenciados.",
            "Se percibe como fiscalización, no como apoyo técnico.",
            "Muy poco, porque es más que todo revisión de los reportes y ya.",
            "No, uno siente que la asistencia es para que el DNP tenga sus datos, no para que el municipio mejore.",
            "Pues ellos hacen es seguimiento al cumplimiento, y eso está bien, pero eso no es asistencia técnica.",
            "No contribuye mucho, solo llegan correos pidiendo información con plazos muy cortos.",
            "Es más un control, solo preguntan cuánto llevamos del plan y no explican cómo mejorar.",
            "se siente como que nos estan vigilando, no como que nos estan ayudando",
            "La asistencia se limita a verificar el cargue en la plataforma, no hay acompañamiento real.",
            "Pues a veces sí, pero la mayoría de veces es para que reportemos, es más seguimiento.",
            "No, porque lo que llega son requerimientos, no asesoría.",
            "Regular. Se dedican a revisar si cumplimos los plazos del reporte y no resuelven las inquietudes de fondo.",
            "Es como una inspección, revisan y se van.",
            "Más que asistencia sentimos presión, que mande el informe, que llene la matriz.",
            "No, es más seguimiento que otra cosa. Nosotros necesitamos es que nos expliquen.",
            "Yo diría que no, porque la relación es de rendir informes, no de construir juntos.",
            "Pues llaman a preguntar si ya se hizo, pero no a ayudar a hacerlo.",
            "No mucho, se volvió una lista de chequeo, cumple o no cumple.",
            "Es exigencia de información y ya, eso no nos ayuda a articular nada.",
        ],
    },
    Bank {
        code: "sin_contribucion",
        answers: &[
            "No, la verdad no ha contribuido mucho.",
            "Poco, porque las capacitaciones son muy generales y no se aterrizan al municipio.",
            "No contribuye, lo que nos dijeron ya lo sabíamos.",
            "Muy poco, el aporte ha sido limitado.",
            "No, porque solo fue una reunión virtual y ya no volvieron a llamar.",
            "Pues no mucho, hicimos el plan prácticamente solos.",
            "No, realmente la articulación la hicimos con el apoyo de la gobernación, el DNP poco.",
            "Regular, es muy genérico, lo mismo que le dicen a Medellín se lo dicen a un municipio de sexta.",
            "No ha servido para la articulación, cada instrumento sigue por su lado.",
            "no",
            "No contribuye porque no hubo continuidad.",
            "Poco, la verdad no vemos el aporte en la articulación de los instrumentos.",
            "No, porque las orientaciones llegaron y no cambiaron nada de lo que ya teníamos.",
            "Muy limitado, una charla por Teams de dos horas no alcanza para articular nada.",
            "No señor, no ha contribuido, el plan lo hizo un consultor.",
            "No, la asistencia no tocó el tema de la articulación, fue solo de cargue.",
            "Poco aporte, nada nuevo.",
            "No, siento que es lo mismo de siempre, presentaciones y ya.",
            "Pues no, porque no se profundizó, fue muy por encima.",
            "En realidad no, el aporte es mínimo.",
            "No, porque las recomendaciones que dieron no se pudieron aplicar.",
            "no mucho, la verdad uno no ve la diferencia",
            "No contribuye, ellos tienen buena intención pero no se nota en los instrumentos.",
            "Un poquito nada más, el aporte es marginal.",
            "No, la articulación de los instrumentos depende de nosotros, la asistencia no incidió.",
            "No, porque la información fue muy teórica y acá necesitamos cosas prácticas.",
        ],
    },
];

/// Answers to `articulacion_instrumentos` that sit between two codes.
pub(crate) const ARTICULACION_AMBIGUOUS: &[Ambiguous] = &[
    Ambiguous {
        text: "Sí, aunque más que todo llaman para pedir los reportes, de todas formas uno aprende algo.",
        codes: ["seguimiento_no_asistencia", "apropiacion_temas"],
    },
    Ambiguous {
        text: "Sí, se entendió el proceso y se sentaron varias secretarías a trabajar juntas.",
        codes: ["integralidad", "articulacion_dependencias"],
    },
    Ambiguous {
        text: "Más o menos, aprendimos algunos conceptos pero para la articulación como tal el aporte fue poco.",
        codes: ["apropiacion_temas", "sin_contribucion"],
    },
    Ambiguous {
        text: "Sí, uno entiende todo el ciclo del plan y ya lo sabemos aplicar.",
        codes: ["integralidad", "apropiacion_temas"],
    },
    Ambiguous {
        text: "Poco, porque se dedican a revisar el cargue y eso no aporta a la articulación.",
        codes: ["seguimiento_no_asistencia", "sin_contribucion"],
    },
    Ambiguous {
        text: "Sí, quedaron alineados el plan y el presupuesto y el equipo entendió por qué.",
        codes: ["articulacion_dependencias", "apropiacion_temas"],
    },
    Ambiguous {
        text: "Regular, la asistencia es buena pero es más control de fechas que otra cosa.",
        codes: ["seguimiento_no_asistencia", "sin_contribucion"],
    },
    Ambiguous {
        text: "Sí, ayudó a amarrar el plan indicativo con los planes de acción y a ver el proceso completo.",
        codes: ["articulacion_dependencias", "integralidad"],
    },
];

/// Answers to `necesidades_debilidades`, by code.
pub(crate) const NECESIDADES: &[Bank] = &[
    Bank {
        code: "comunicacion_dialogo",
        answers: &[
            "Necesitamos más comunicación con el profesional del DNP, a veces uno escribe y se demoran en contestar.",
            "Que haya un diálogo más continuo, no solo cuando hay que reportar.",
            "Sería bueno una atención más personalizada, que nos llamen a nosotros directamente y no reuniones con 40 municipios.",
            "Pues que estén más pendientes, una llamada de vez en cuando ayuda mucho.",
            "Mayor comunicación, a veces no sabemos a quién preguntar.",
            "Que el enlace tenga más contacto con la oficina de planeación, por WhatsApp aunque sea.",
            "La verdad lo que más se necesita es que respondan rápido las dudas, el correo a veces se pierde.",
            "Necesitamos acompañamiento más cercano, uno a uno.",
            "Que haya reuniones periódicas con el municipio, así sea virtual, para ir resolviendo.",
            "Más diálogo, que nos escuchen a nosotros también, no solo que nos digan.",
            "Una línea directa con el profesional del DNP sería lo ideal.",
            "Comunicación más constante, porque se comunican y luego pasan dos meses sin saber nada.",
            "que nos tengan más en cuenta y nos llamen mas seguido",
            "Atención personalizada, porque cada municipio tiene dudas distintas y en las sesiones grupales no da tiempo.",
            "Que los canales de comunicación sean más claros, a veces llegan correos de tres personas distintas.",
            "Lo que pedimos es más cercanía, un diálogo permanente con el DNP.",
            "Mejorar la comunicación, que nos avisen con tiempo de las capacitaciones.",
            "Pues que haya más espacio para preguntar, en las sesiones no alcanza el tiempo para las preguntas.",
            "Necesitamos que alguien nos conteste el teléfono cuando llamamos.",
            "Sí responde, pero se necesita más contacto directo, más seguimiento personalizado al municipio.",
            "Que el diálogo sea de doble vía, que nosotros también podamos plantear lo que necesitamos.",
            "Tener una persona de referencia fija, que sepa de nuestro municipio y con quien hablar.",
            "Más reuniones de retroalimentación, que nos digan qué está bien y qué está mal.",
            "Que sea más frecuente el contacto, una vez al mes por lo menos.",
            "mas comunicacion y mas acompañamiento directo",
            "Sí, aunque sería mejor que la comunicación fuera más fluida, a veces uno no sabe si recibieron lo que uno mandó.",
        ],
    },
    Bank {
        code: "particularidades_municipio",
        answers: &[
            "Sí, porque tuvieron en cuenta que somos un municipio de sexta categoría, con poco personal.",
            "Sí responde, la profesional conoce el municipio y sabe de nuestras dificultades.",
            "Sí, se adaptaron a nuestra realidad, somos un municipio rural con comunidades indígenas y eso lo tuvieron en cuenta.",
            "Sí, porque las recomendaciones fueron pensadas para nuestro contexto, no copiadas de una ciudad grande.",
            "Si, tuvieron en cuenta las particularidades del territorio, la zona rural dispersa",
            "Sí, porque entienden que acá la mayoría de la población es afro y el plan tenía que tener enfoque étnico.",
            "Sí, el acompañamiento reconoció las condiciones propias del municipio, como que somos frontera.",
            "Sí, porque revisaron nuestro diagnóstico y las recomendaciones salieron de ahí, de lo que somos.",
            "Sí responde, no nos trataron como un municipio más, miraron nuestras necesidades específicas.",
            "Sí, tuvieron en cuenta que somos municipio PDET y nos ayudaron a incluir las iniciativas del PATR.",
            "Sí, la asistencia entendió que tenemos problemas de orden público y que no todo se puede hacer igual.",
            "Sí, porque se ajustó a las capacidades que tenemos, que son pocas.",
            "Sí, se tuvo en cuenta la vocación agrícola del municipio.",
            "Sí, porque el profesional vino al territorio y conoció de primera mano cómo es esto.",
            "Sí, respetaron los tiempos y la dinámica del municipio.",
            "si, porque tienen en cuenta que somos un municipio pequeño",
            "Sí, porque en el departamento hay municipios muy distintos y la asistencia diferenció a cada subregión.",
            "Sí, entendieron que con el COVID nuestras prioridades cambiaron y nos ayudaron a ajustar el plan.",
            "Sí, tuvieron en cuenta que somos un municipio turístico y eso se reflejó en el plan.",
            "Sí, se respetó la cosmovisión de los resguardos en la formulación.",
            "Sí responde, se adecuó a nuestras condiciones, sobre todo por las distancias y lo disperso de las veredas.",
            "Sí, la asistencia fue diferenciada, no es lo mismo una ciudad capital que nosotros.",
            "Sí, porque partieron de lo que teníamos y de lo que necesitábamos.",
            "Sí, el DNP entendió nuestra situación de municipio minero y los temas de regalías que eso implica.",
            "Sí, porque nos escucharon y ajustaron la asistencia a lo que de verdad necesita el municipio.",
            "Claro, tuvieron en cuenta que aquí todo queda más lejos y sale más caro, el transporte, los costos, y eso cambia las metas.",
        ],
    },
    Bank {
        code: "agiliza_procesos",
        answers: &[
            "Sí, gracias a la asistencia el cargue del plan indicativo se hizo más rápido.",
            "Sí, nos ahorró tiempo, antes nos demorábamos semanas en el reporte.",
            "Sí, agilizó mucho la formulación del plan, llegamos a tiempo al concejo.",
            "Sí, porque ya no cometemos los mismos errores en los reportes y no los devuelven.",
            "Sí, los procesos son más ágiles, sabemos qué hacer y en qué orden.",
            "Si, el reporte de seguimiento salio a tiempo gracias al acompañamiento",
            "Sí responde, se agilizaron los trámites de la aprobación del plan.",
            "Sí, fortaleció la oficina de planeación, ahora los procesos salen más rápido.",
            "Sí, porque nos destrabaron el tema de la armonización presupuestal que llevaba meses quieto.",
            "Sí, el acompañamiento hizo que el reporte de la evaluación quedara listo antes de la fecha.",
            "Sí, hay más eficiencia en la oficina, lo que antes tomaba un mes ahora se hace en una semana.",
            "Sí, con la orientación se agilizó el cargue en el SIEE y no tuvimos rechazos.",
            "Sí, porque ya sabemos cómo hacerlo y no perdemos tiempo buscando información.",
            "Sí, menos reprocesos, eso es lo principal.",
            "Sí, el tema de la viabilización de proyectos fue mucho más ágil.",
            "Sí, la asistencia nos permitió cumplir los plazos que antes siempre incumplíamos.",
            "sí porque todo sale más rápido ahora",
            "Sí, se aceleró el proceso de ajuste del plan indicativo, en dos sesiones quedó.",
            "Sí, fortalece la entidad porque se hacen las cosas con más agilidad y menos errores.",
            "Sí, nos ayudó a organizar los tiempos y a entregar oportunamente.",
            "Sí, mejoró la rapidez para responder a los requerimientos de los entes de control.",
            "Sí, el acompañamiento para el reporte del FUT y del SIEE nos ahorró muchísimo tiempo.",
            "Sí, se agilizó la presentación de proyectos, ya los formulamos sin tantas devoluciones.",
            "Sí, hay mayor agilidad en los procesos de planeación, la gente sabe qué le toca.",
            "Sí, logramos aprobar el plan en el tiempo que da la ley gracias a que nos ayudaron a agilizar.",
            "Sí. Con las indicaciones del DNP los procesos internos se hicieron más eficientes.",
        ],
    },
    Bank {
        code: "herramientas_contexto",
        answers: &[
            "Sí, nos entregaron unas matrices en Excel que son fáciles de usar y se ajustan a lo que tenemos.",
            "Sí, las herramientas que dieron son prácticas, las podemos usar con el equipo pequeño que tenemos.",
            "Sí, la guía para el plan indicativo nos sirvió muchísimo, la usamos para todo.",
            "Sí, los formatos se ajustan a las necesidades del municipio.",
            "Si, dieron plantillas y ejemplos de otros municipios parecidos al nuestro",
            "Sí, el material que compartieron es muy útil, lo tenemos como guía de consulta.",
            "Sí responde, la herramienta de seguimiento es sencilla y se adapta a nuestro contexto.",
            "Sí, porque nos dieron instrumentos que podemos manejar nosotros mismos sin contratar a nadie.",
            "Sí, la caja de herramientas para el seguimiento está muy bien pensada.",
            "Sí, los formatos simplificados para municipios pequeños nos sirvieron.",
            "Sí, las herramientas que nos dieron se ajustan a nuestra capacidad, son sencillas.",
            "Sí, nos dieron un tablero de control en Excel que ya lo usa el alcalde en el consejo de gobierno.",
            "Sí, la matriz de armonización fue muy práctica, la diligenciamos en un día.",
            "Sí, las guías están escritas en un lenguaje que uno entiende.",
            "Sí, porque los instrumentos están pensados para que uno los aplique en la realidad del municipio.",
            "Sí, nos compartieron modelos de acuerdo, de decreto, de todo, y eso nos sirvió.",
            "si, buenas herramientas y bien adaptadas",
            "Sí, la herramienta de cargue es amigable y funciona hasta con el internet que tenemos.",
            "Sí, las fichas de indicadores vinieron ya listas para adaptarlas a nuestros programas.",
            "Sí responde, el material sirve para el contexto municipal, no es solo teoría.",
            "Sí, porque nos dieron un paso a paso en Excel que cualquiera de la oficina puede usar.",
            "Sí, las herramientas ayudan, sobre todo la de programación de metas anuales.",
            "Sí, la batería de indicadores sugeridos nos ahorró mucho trabajo y se ajusta a lo que hacemos.",
            "Sí, las herramientas son útiles y se pueden usar sin conexión, que para nosotros es importante.",
            "Sí, las cartillas para los enlaces de las secretarías fueron muy buenas.",
            "Sí, los instrumentos que compartió el DNP se adaptaron bien a lo que necesita la gobernación para acompañar a sus municipios.",
        ],
    },
    Bank {
        code: "brecha_conectividad",
        answers: &[
            "No mucho, porque las capacitaciones son virtuales y aquí el internet es muy malo, se cae a cada rato.",
            "La debilidad es la conectividad, no hay conexión estable en la alcaldía.",
            "Pues el problema es la señal, uno se conecta a la reunión y se queda congelado.",
            "No tenemos buenos equipos, los computadores son viejos y no corren la plataforma.",
            "La brecha tecnológica, acá muchos funcionarios no saben manejar las herramientas virtuales.",
            "Todo es virtual y nosotros con un internet de 2 megas compartido para toda la alcaldía, imagínese.",
            "No hay conexión en la zona, toca ir hasta la cabecera para poder conectarse.",
            "El internet, siempre el internet, no pudimos entrar a varias sesiones.",
            "La plataforma es pesada y con la conectividad que tenemos no carga.",
            "Las sesiones por Teams no funcionan para nosotros, la señal no da.",
            "Debilidad tecnológica, no tenemos ni computadores suficientes.",
            "no hay internet bueno aca, eso es lo que mas nos afecta",
            "Por la pandemia todo pasó a virtual y nosotros quedamos por fuera porque no tenemos conectividad.",
            "La conexión es muy inestable, en plena capacitación se fue la luz y el internet.",
            "Es que acá la señal de celular es mala y el internet peor, entonces las llamadas y las reuniones se cortan.",
            "Problemas de conectividad, varias veces no pudimos subir el reporte a tiempo porque la página no cargaba.",
            "Falta de herramientas tecnológicas, trabajamos con los celulares personales.",
            "Somos un municipio apartado, la conectividad es muy deficiente y la asistencia es toda en línea.",
            "Nos perdimos la mitad de la capacitación porque no había señal.",
            "El tema tecnológico, no contamos con equipos ni con una buena conexión para las videollamadas.",
            "La conectividad es la principal debilidad, y la asistencia no tiene en cuenta eso.",
            "Las grabaciones de las sesiones no se pueden descargar con nuestro internet, son muy pesadas.",
            "Pues la verdad la señal aquí es pésima y así es muy difícil recibir asistencia virtual.",
            "Nos falta infraestructura tecnológica, el servidor de la alcaldía se daña a cada rato.",
            "Se necesita que la asistencia sea presencial o por teléfono, porque por internet no se puede, no hay conexión.",
            "la conexion se cae y uno queda por fuera de la reunion, asi no se aprende",
        ],
    },
    Bank {
        code: "rotacion_personal",
        answers: &[
            "La rotación de personal, el secretario de planeación ya es el tercero este año.",
            "El problema es que cambian mucho a los contratistas y lo que se aprende se va con ellos.",
            "Nos capacitaron pero la persona que recibió la capacitación renunció, y toca empezar de cero.",
            "Hay mucha rotación, los contratos son de tres meses y la gente se va.",
            "La debilidad es el personal, cambiaron todo el equipo de planeación y nadie sabe cómo se hizo el reporte.",
            "El enlace que teníamos se fue y el nuevo no conoce el proceso.",
            "Acá cambian mucho a los funcionarios, entonces la asistencia no se queda en la entidad.",
            "La planta de personal es mínima y los contratistas rotan cada rato.",
            "Llegó un nuevo secretario y hubo que volver a explicarle todo.",
            "No hubo empalme entre el equipo anterior y el nuevo, y se perdió la información.",
            "La rotación del personal hace que las capacitaciones se pierdan.",
            "Pues el cambio de personal, cada vez que viene el DNP hay una persona distinta atendiendo.",
            "se fue la persona que manejaba el tema y quedamos sin saber nada",
            "La profesional que estaba con el tema del plan indicativo terminó contrato y la nueva no sabe.",
            "Debilidad: la inestabilidad del equipo, los contratistas no tienen continuidad.",
            "Hubo cambio de jefe de planeación en septiembre y eso nos atrasó todo.",
            "La alta rotación, en la alcaldía casi todo es por prestación de servicios.",
            "Necesitamos que la asistencia se repita porque la gente cambia mucho.",
            "El problema es que los que se capacitan no son los que se quedan.",
            "Cambio de personal constante, y cada vez toca volver a empezar.",
            "Renunció el secretario de planeación y el que llegó no tenía experiencia en el sector público.",
            "Nosotros tenemos el problema de que el personal de planta es muy poco y los contratistas van y vienen.",
            "Se fue el ingeniero que hacía el seguimiento y no dejó nada documentado.",
            "La rotación en las secretarías hace que no haya quién reporte.",
            "Pues el mayor problema es la rotación, de la capacitación de julio ya no queda nadie.",
            "Cambiaron a los enlaces de todas las secretarías, hay que capacitar otra vez.",
        ],
    },
    Bank {
        code: "kpt_altas_capacidades",
        answers: &[
            "El KPT es muy complejo para un municipio como el nuestro, está pensado para ciudades grandes.",
            "El kit de planeación territorial es muy técnico, acá no tenemos el personal para diligenciarlo.",
            "La herramienta del KPT es difícil de manejar, muchas pestañas, mucha información.",
            "No responde, porque las herramientas están hechas para entidades con capacidades altas, no para un municipio de sexta.",
            "El KPT pide información que nosotros no tenemos, estadísticas que en el municipio no existen.",
            "El kit es demasiado extenso, uno se pierde diligenciándolo.",
            "La herramienta no está pensada para municipios pequeños, es muy complicada.",
            "El KPT es muy bueno para los que saben, pero para nosotros es un enredo.",
            "Pues las herramientas del DNP son para municipios con equipos grandes, aquí somos tres personas.",
            "kpt muy complicado, no lo entendimos",
            "El kit territorial asume que uno tiene un equipo técnico y acá no lo hay.",
            "Diligenciar el KPT nos tomó meses, es muy dispendioso para nuestras capacidades.",
            "Las herramientas son muy sofisticadas para la realidad de nuestro municipio.",
            "El KPT está diseñado para capitales, nosotros somos categoría sexta y no damos.",
            "Es muy técnico, el lenguaje del kit no lo entiende cualquiera.",
            "El aplicativo del kit de planeación es pesado y complejo, deberían hacer una versión sencilla.",
            "La metodología está pensada para entidades con altas capacidades, nosotros tuvimos que contratar a alguien para poder usarla.",
            "No, porque el KPT exige cosas que un municipio pequeño no puede cumplir.",
            "Son muchas herramientas y todas muy complejas, para municipios grandes está bien.",
            "Lo del KPT fue un dolor de cabeza, muy difícil de diligenciar.",
            "Pues el kit es completo pero demasiado, para nosotros es como un Ferrari cuando necesitamos una bicicleta.",
            "El KPT no se ajusta a las capacidades de la entidad, es para los que tienen oficinas de planeación grandes.",
            "La herramienta pide demasiados indicadores, eso es para ciudades.",
            "Las plantillas del kit son enormes, con nuestra capacidad técnica no es fácil.",
            "El KPT es complicado y muy teórico, no está pensado para municipios pequeños como este.",
            "Desde la gobernación vemos que a los municipios de sexta el KPT les queda grande.",
        ],
    },
    Bank {
        code: "llego_destiempo",
        answers: &[
            "La asistencia llegó tarde, cuando ya el plan estaba aprobado por el concejo.",
            "Llegó a destiempo, nosotros ya habíamos presentado el plan.",
            "Pues las orientaciones del plan indicativo llegaron después de que ya lo habíamos cargado.",
            "Llegó muy tarde, el plazo ya se había vencido.",
            "No responde porque llega a última hora, siempre cuando ya vamos a entregar.",
            "La capacitación de armonización fue después de que ya habíamos armonizado el presupuesto.",
            "A destiempo, ya había pasado la fecha del reporte.",
            "Cuando llegó el acompañamiento ya estaba todo hecho.",
            "La asistencia se demoró, el plan se aprobó en mayo y la asistencia llegó en julio.",
            "Muy tarde, a nosotros nos tocó hacer el plan sin apoyo y después sí llegaron.",
            "llego tarde la asistencia, ya habiamos aprobado",
            "Las recomendaciones llegaron fuera de tiempo, ya no se podían incorporar.",
            "Pues sí ayuda, pero llega tarde, siempre después de los plazos.",
            "Nos citaron a la capacitación de seguimiento cuando ya habíamos enviado el informe.",
            "La asistencia no fue oportuna, llegó cuando ya se había cerrado la plataforma.",
            "Llegó tarde el concepto del DNP, el concejo ya había aprobado el plan.",
            "Fue a destiempo, lo que necesitábamos era en febrero y marzo, no ahora.",
            "Llegan con la ayuda cuando ya el problema pasó.",
            "Las guías salieron después de la fecha límite de entrega.",
            "A última hora nos mandaron los lineamientos, y ya no había tiempo de ajustar nada.",
            "La asistencia llegó después del cierre del reporte, entonces no sirvió para ese momento.",
            "No fue oportuna, llegó cuando ya habíamos hecho el ejercicio solos.",
            "Se demoraron mucho en responder y cuando respondieron ya no servía.",
            "Eso llegó tarde, la formulación del plan ya estaba en el concejo.",
            "Llegó tarde, con la pandemia todo se corrió y la asistencia también.",
            "Pues llegó, pero llegó cuando ya no la necesitábamos.",
        ],
    },
];

/// Answers to `necesidades_debilidades` that sit between two codes.
pub(crate) const NECESIDADES_AMBIGUOUS: &[Ambiguous] = &[
    Ambiguous {
        text: "Las herramientas son buenas pero acá la conexión no ayuda para usarlas en línea.",
        codes: ["herramientas_contexto", "brecha_conectividad"],
    },
    Ambiguous {
        text: "La asistencia llegó tarde y además cambiaron al secretario, entonces se perdió.",
        codes: ["llego_destiempo", "rotacion_personal"],
    },
    Ambiguous {
        text: "El KPT es muy complejo y con el internet que tenemos peor.",
        codes: ["kpt_altas_capacidades", "brecha_conectividad"],
    },
    Ambiguous {
        text: "Sí, tuvieron en cuenta que somos pequeños, pero necesitamos que llamen más.",
        codes: ["particularidades_municipio", "comunicacion_dialogo"],
    },
    Ambiguous {
        text: "Sí, nos dieron formatos sencillos y con eso el reporte salió más rápido.",
        codes: ["herramientas_contexto", "agiliza_procesos"],
    },
    Ambiguous {
        text: "Se necesita más acompañamiento porque la gente nueva no sabe cómo es el proceso.",
        codes: ["comunicacion_dialogo", "rotacion_personal"],
    },
    Ambiguous {
        text: "Ayuda, pero las herramientas están pensadas para municipios más grandes y llegan cuando ya pasaron los plazos.",
        codes: ["kpt_altas_capacidades", "llego_destiempo"],
    },
    Ambiguous {
        text: "Sí, entendieron nuestra realidad y nos dieron herramientas a la medida.",
        codes: ["particularidades_municipio", "herramientas_contexto"],
    },
];

/// Answers to `fortalecimiento_capacidades`, by code.
pub(crate) const FORTALECIMIENTO: &[Bank] = &[
    Bank {
        code: "claridad_procesos",
        answers: &[
            "Sí, ahora tenemos claro el paso a paso del seguimiento, quién hace qué y cuándo.",
            "Sí, los procesos quedaron organizados, hicimos un cronograma con todas las fechas.",
            "Sí, porque hay más orden en la oficina de planeación, cada procedimiento está definido.",
            "Sí, se aclararon los procedimientos para el reporte del plan indicativo.",
            "Si, ya hay una ruta clara para hacer el seguimiento al plan",
            "Sí, nos ayudó a organizar la información del plan, antes todo estaba en desorden.",
            "Sí, quedó claro cómo es el procedimiento para ajustar metas y modificar el plan.",
            "Sí, documentamos los procesos de planeación y ahora están en el sistema de gestión de calidad.",
            "Sí, hay claridad en los pasos para la armonización, antes no sabíamos por dónde empezar.",
            "Sí, ahora sabemos en qué orden van las cosas: primero el plan indicativo, después los planes de acción, después el POAI.",
            "Sí, la oficina está más organizada, tenemos carpetas, formatos y responsables.",
            "Sí, porque se definieron los procedimientos internos para el reporte trimestral.",
            "Sí, hubo claridad en los procesos, sobre todo en el de seguimiento.",
            "sí, mas organizados y con los procesos claros",
            "Sí, se organizó el proceso de formulación de proyectos, ya hay un procedimiento escrito.",
            "Sí, ahora hay un calendario de reportes y todos lo conocen.",
            "Sí, nos dejó un procedimiento para el seguimiento que antes no existía.",
            "Sí, la entidad tiene más claridad sobre sus obligaciones de planeación y los plazos.",
            "Sí, se estandarizaron los formatos y los pasos, eso da orden.",
            "Sí, porque los procedimientos quedaron claros y ya no dependemos de la memoria de una persona.",
            "Sí, organizamos el banco de proyectos con los criterios que nos dieron.",
            "Sí, se aclaró el flujo de la información entre las secretarías y planeación.",
            "Sí, hay más claridad en lo que toca hacer en cada etapa del plan.",
            "Sí, ahora existe un manual de procedimientos de seguimiento gracias a la asistencia.",
            "Sí, en la gobernación organizamos el proceso de acompañamiento a los municipios con los pasos que nos dio el DNP.",
            "Sí, tenemos los procesos más ordenados, con fechas y responsables claros.",
        ],
    },
    Bank {
        code: "articulacion_interna",
        answers: &[
            "Sí, las secretarías trabajan más coordinadas, hay más comunicación interna.",
            "Sí, ahora hay un comité de seguimiento donde se sientan todas las dependencias.",
            "Sí, mejoró el trabajo en equipo entre planeación y hacienda.",
            "Sí, el consejo de gobierno ahora revisa el avance del plan cada mes.",
            "Si, hay mejor coordinacion entre las dependencias de la alcaldia",
            "Sí, porque se creó la red de enlaces, uno por secretaría, y se coordinan entre ellos.",
            "Sí, las dependencias comparten la información, antes cada una guardaba lo suyo.",
            "Sí, fortaleció la articulación interna, ya no es planeación sola contra el mundo.",
            "Sí, hay más trabajo conjunto, las secretarías entienden que el plan es de todos.",
            "Sí, la coordinación interna mejoró mucho para los reportes.",
            "Sí, ahora las secretarías se reúnen antes de reportar y cuadran las cifras.",
            "Sí, porque se fortaleció el trabajo en equipo de la administración.",
            "Sí, hay mejor comunicación entre las secretarías, hicimos un grupo y ahí se coordina todo.",
            "Sí, planeación ya no hace todo sola, las dependencias asumieron su parte en coordinación.",
            "sí, mejor articulacion entre secretarias",
            "Sí, en la gobernación las sectoriales se coordinan mejor con la secretaría de planeación.",
            "Sí, se mejoró la coordinación para la formulación de proyectos entre las dependencias.",
            "Sí, hay más articulación interna, todos hablamos el mismo idioma del plan.",
            "Sí, porque el alcalde convocó a todo el gabinete a las sesiones y eso unió al equipo.",
            "Sí, las dependencias ahora trabajan en conjunto para el seguimiento.",
            "Sí, hubo mayor coordinación entre hacienda y planeación para el presupuesto.",
            "Sí, se fortaleció el equipo, hay más comunicación y apoyo entre las oficinas.",
            "Sí, ahora existe una mesa técnica interna que se reúne cada quince días.",
            "Sí, hay una mejor articulación de las secretarías, antes ni se hablaban.",
            "Sí, la coordinación interna mejoró porque todos participaron en las capacitaciones.",
            "Sí, fortaleció la integración del equipo de gobierno alrededor de las metas.",
        ],
    },
    Bank {
        code: "apropiacion_compromiso",
        answers: &[
            "Sí, la gente está más comprometida con el seguimiento del plan.",
            "Sí, los funcionarios se apropiaron de sus funciones, ya no hay que estarles recordando.",
            "Sí, hay más sentido de pertenencia con el plan de desarrollo.",
            "Sí, los secretarios asumieron la responsabilidad de sus metas.",
            "Si, el equipo esta mas motivado y comprometido",
            "Sí, porque cada secretario sabe que su meta es suya y la reporta.",
            "Sí, hay más compromiso, la gente entiende la importancia de reportar bien.",
            "Sí, los funcionarios se empoderaron de sus tareas de planeación.",
            "Sí, ahora hay más interés del equipo en cumplir las metas.",
            "Sí, mayor apropiación de las funciones, sobre todo en los enlaces de las secretarías.",
            "Sí, el alcalde se comprometió y eso jaló a todo el equipo.",
            "Sí, los funcionarios de planta se comprometieron más con el proceso.",
            "Sí, hay conciencia de que el seguimiento es responsabilidad de todos.",
            "sí, la gente se apropio del tema",
            "Sí, se nota más liderazgo de la oficina de planeación.",
            "Sí, las personas se sienten responsables del cumplimiento del plan.",
            "Sí, ahora los funcionarios asumen el reporte como parte de su trabajo y no como un favor.",
            "Sí, el equipo asumió con compromiso la tarea del plan indicativo.",
            "Sí, aumentó el compromiso de las dependencias con la entrega de la información.",
            "Sí, hay más disposición del personal, se ve la motivación.",
            "Sí, la asistencia generó compromiso, los secretarios quieren mostrar resultados.",
            "Sí, se fortaleció la apropiación de las funciones de planeación en todo el gabinete.",
            "Sí, porque la gente entendió para qué sirve lo que hace y eso da compromiso.",
            "Sí, mayor responsabilidad en los reportes, ya no se hacen por cumplir.",
            "Sí, el personal se apropió de los procesos y los defiende.",
            "Sí, el equipo directivo asumió el plan como propio, eso antes no pasaba.",
        ],
    },
    Bank {
        code: "gestion_conocimiento",
        answers: &[
            "Sí, porque quedó capacidad instalada, el conocimiento se queda en la entidad.",
            "Sí, los que fuimos capacitados replicamos la capacitación con las demás secretarías.",
            "Sí, documentamos todo lo aprendido en un manual para los que lleguen después.",
            "Sí, guardamos las memorias y las presentaciones y las consultamos cuando hay dudas.",
            "Si, se transfiere el conocimiento a los funcionarios de planta",
            "Sí, formamos multiplicadores en cada dependencia.",
            "Sí, la asistencia dejó capacidad instalada en el equipo técnico.",
            "Sí, se fortaleció la gestión del conocimiento, hay un repositorio con todo el material.",
            "Sí, nosotros como gobernación replicamos lo aprendido con los municipios.",
            "Sí, el conocimiento ya no depende de una sola persona, se compartió con todos.",
            "Sí, grabamos las sesiones y las usamos para capacitar a los nuevos.",
            "Sí, las lecciones aprendidas quedaron documentadas.",
            "Sí, porque capacitaron a funcionarios de planta y no solo a contratistas, entonces el conocimiento se queda.",
            "sí, hay transferencia de conocimiento",
            "Sí, hicimos talleres internos con lo que nos enseñó el DNP.",
            "Sí, se creó una carpeta compartida con guías y ejemplos para todo el equipo.",
            "Sí, fortaleció el aprendizaje institucional, eso es lo más valioso.",
            "Sí, ya tenemos gente capaz de enseñar a otros dentro de la alcaldía.",
            "Sí, la transferencia de conocimiento fue buena, el equipo quedó capacitado.",
            "Sí, se hizo un documento de empalme con todo el proceso para que no se pierda.",
            "Sí, los conocimientos se compartieron con el concejo y con el consejo territorial de planeación.",
            "Sí, porque ahora enseñamos nosotros a las juntas de acción comunal.",
            "Sí, quedó material de consulta y gente formada.",
            "Sí, el conocimiento se ha ido transmitiendo entre las dependencias.",
            "Sí, aprendimos y además lo dejamos escrito, eso es gestión del conocimiento.",
            "Sí, la entidad ganó conocimiento que se va a quedar aunque cambie la administración.",
        ],
    },
    Bank {
        code: "sin_fortalecimiento",
        answers: &[
            "No, la verdad no ha fortalecido las capacidades.",
            "No mucho, seguimos igual que antes.",
            "No, porque la asistencia fue esporádica, una sola vez.",
            "Pues no, no hemos visto el cambio.",
            "No, las capacidades siguen siendo las mismas, falta personal y falta formación.",
            "No ha fortalecido, las capacitaciones fueron muy generales.",
            "Muy poco, no dejó capacidad instalada.",
            "No, porque la asistencia le llegó solo al secretario y el resto del equipo no se enteró.",
            "no",
            "No ha servido para fortalecer, la entidad sigue con las mismas debilidades.",
            "No, la verdad todo lo seguimos haciendo con contratistas externos.",
            "No, porque no hubo continuidad y se quedó en una charla.",
            "Poco, no se nota.",
            "No, nada, lo mismo de siempre.",
            "No ha fortalecido porque las sesiones eran para muchos municipios y no se profundizó en nada.",
            "No, la entidad no tiene más capacidades que antes de la asistencia.",
            "Pues no mucho, uno aprende algo pero no alcanza a fortalecer la entidad.",
            "No, y menos con la situación de este año, todo se quedó quieto.",
            "No, no aportó nada nuevo a lo que ya sabíamos.",
            "Realmente no, seguimos dependiendo de la gobernación para todo.",
            "No, porque la información que dieron no se pudo aplicar.",
            "no mucho, siguen las mismas falencias",
            "No ha fortalecido, la asistencia fue muy corta y muy por encima.",
            "No, no vemos mejoras en las capacidades de la oficina.",
            "No, siento que no ha servido para nada en ese sentido.",
            "No, el fortalecimiento es mínimo, fue más un requisito que otra cosa.",
        ],
    },
];

/// Answers to `fortalecimiento_capacidades` that sit between two codes.
pub(crate) const FORTALECIMIENTO_AMBIGUOUS: &[Ambiguous] = &[
    Ambiguous {
        text: "Sí, los procesos están más claros y las secretarías se coordinan mejor.",
        codes: ["claridad_procesos", "articulacion_interna"],
    },
    Ambiguous {
        text: "Sí, la gente está más comprometida y comparte lo que aprende.",
        codes: ["apropiacion_compromiso", "gestion_conocimiento"],
    },
    Ambiguous {
        text: "Algo, quedaron unos formatos pero la verdad no mucho más.",
        codes: ["claridad_procesos", "sin_fortalecimiento"],
    },
    Ambiguous {
        text: "Sí, documentamos los procedimientos para que el que llegue sepa cómo es.",
        codes: ["gestion_conocimiento", "claridad_procesos"],
    },
    Ambiguous {
        text: "Un poco, el equipo se motivó pero capacidades como tal no se ven.",
        codes: ["apropiacion_compromiso", "sin_fortalecimiento"],
    },
    Ambiguous {
        text: "Sí, hay más trabajo en equipo y cada uno asumió su responsabilidad.",
        codes: ["articulacion_interna", "apropiacion_compromiso"],
    },
];

/// Ways of naming each requested assistance topic (`demanda_temas`), combined 1–3 per answer.
pub(crate) const DEMAND_PHRASES: &[Bank] = &[
    Bank {
        code: "seguimiento_pdt",
        answers: &[
            "seguimiento al plan de desarrollo",
            "el seguimiento al PDT",
            "cómo hacer el reporte de avance de las metas",
            "indicadores y tablero de control",
            "evaluación del plan",
            "el cargue en el SIEE y el seguimiento",
            "seguimiento a metas",
        ],
    },
    Bank {
        code: "planeacion_financiera",
        answers: &[
            "plan financiero",
            "el marco fiscal de mediano plazo",
            "cómo aumentar los recursos propios",
            "el plan plurianual de inversiones",
            "fuentes de financiación",
            "finanzas públicas, el tema de rentas",
        ],
    },
    Bank {
        code: "armonizacion_presupuestal",
        answers: &[
            "armonización presupuestal",
            "armonizar el presupuesto con el nuevo plan",
            "el POAI y la armonización",
            "el nuevo clasificador presupuestal CCPET",
            "traslados presupuestales",
            "homologación de rubros",
        ],
    },
    Bank {
        code: "plan_indicativo",
        answers: &[
            "plan indicativo",
            "ajustes al plan indicativo",
            "la programación de metas anuales",
            "los planes de acción",
            "el cargue del plan indicativo",
            "cómo anualizar las metas",
        ],
    },
    Bank {
        code: "formulacion_proyectos",
        answers: &[
            "formulación de proyectos",
            "la MGA",
            "proyectos en la MGA web",
            "estructuración de proyectos de inversión",
            "el banco de proyectos",
            "cómo formular proyectos para conseguir recursos",
        ],
    },
    Bank {
        code: "ordenamiento_territorial",
        answers: &[
            "ordenamiento territorial",
            "la revisión del EOT",
            "actualización del POT",
            "el esquema de ordenamiento que está vencido",
            "el PBOT",
            "catastro multipropósito",
        ],
    },
    Bank {
        code: "regalias_sgr",
        answers: &[
            "regalías",
            "el nuevo sistema general de regalías",
            "SGR",
            "proyectos de regalías y el OCAD",
            "el capítulo de inversiones con recursos del SGR",
            "las asignaciones directas de regalías",
        ],
    },
    Bank {
        code: "rendicion_cuentas",
        answers: &[
            "rendición de cuentas",
            "la audiencia de rendición de cuentas",
            "el informe de gestión",
            "rendición de cuentas a la ciudadanía",
            "cómo rendir cuentas de manera virtual",
            "el informe al concejo",
        ],
    },
];

/// Relative frequency with which entities ask for each topic (same order as `DEMAND_PHRASES`).
pub(crate) const DEMAND_WEIGHTS: [u32; 8] = [5, 3, 3, 3, 5, 2, 4, 2];

/// Sentence frames for one, two and three requested topics (`{}` is replaced in order).
pub(crate) const DEMAND_FRAMES: [&[&str]; 3] = [
    &[
        "{}",
        "En {}",
        "Necesitamos apoyo en {}",
        "Principalmente {}",
        "Sobre todo {}, es lo que más nos preocupa",
        "{}, eso es lo más urgente",
        "Pues yo diría que {}",
    ],
    &[
        "{} y {}",
        "En {} y también en {}",
        "Necesitamos apoyo con {} y con {}",
        "{}; también {}",
        "Más que todo {}, y {}",
    ],
    &[
        "{}, {} y {}",
        "Necesitamos asistencia en {}, en {} y en {}",
        "Varios temas: {}, {} y {}",
        "Pues {}, {} y si se puede {}",
    ],
];

/// Phrases that only a gobernación would say about itself.
const GOBERNACION_VOICE: &[&str] = &[
    "en la gobernación",
    "como gobernación",
    "desde la gobernación",
    "necesita la gobernación",
    "en el departamento hay",
];

/// Phrases that place the speaker in a municipality.
const ALCALDIA_VOICE: &[&str] = &[
    "alcald",
    "municipio",
    "de la gobernación",
    "con la gobernación",
    "veredas",
    "resguardos",
    "concejo",
];

/// Whether `text` can be said by a gobernación (`gobernacion`) or by an alcaldía.
pub(crate) fn fits_speaker(text: &str, gobernacion: bool) -> bool {
    let t = text.to_lowercase();
    let gov = GOBERNACION_VOICE.iter().any(|p| t.contains(p));
    if gobernacion {
        gov || !ALCALDIA_VOICE.iter().any(|p| t.contains(p))
    } else {
        !gov
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speakers_fit_their_answers() {
        assert!(fits_speaker(
            "Sí, nosotros como gobernación replicamos lo aprendido.",
            true
        ));
        assert!(!fits_speaker(
            "Sí, nosotros como gobernación replicamos lo aprendido.",
            false
        ));
        assert!(!fits_speaker(
            "La alta rotación, en la alcaldía casi todo es por contrato.",
            true
        ));
        assert!(fits_speaker("Llegó tarde.", true) && fits_speaker("Llegó tarde.", false));
    }

    #[test]
    fn every_bank_has_answers_for_both_kinds_of_entity() {
        for bank in ARTICULACION
            .iter()
            .chain(NECESIDADES)
            .chain(FORTALECIMIENTO)
        {
            let gov = bank
                .answers
                .iter()
                .filter(|a| fits_speaker(a, true))
                .count();
            let muni = bank
                .answers
                .iter()
                .filter(|a| fits_speaker(a, false))
                .count();
            assert!(gov >= 3 && muni >= 20, "{}: {gov} / {muni}", bank.code);
        }
    }
}
