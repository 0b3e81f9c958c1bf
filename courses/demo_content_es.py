"""Spanish (es) translation of the demo courses in `courses.demo_content`, as plain data.

Only the human text is here; the seeding code takes everything else (slugs, estimated times,
flags, topics, languages, prerequisites) from `courses.demo_content` and lays this text over it
with wagtail-localize.

- `INDEX`: the translated "title" and "intro" of the course index.
- `TOPICS`: {topic slug: translated name}.
- `COURSES`: {course slug: {"title", "summary", "learning_outcomes", "content_notes",
  "how_to_join", "modules": {module slug: {"title", "summary", "content_notes", "body"}}}}.

The markup is the one described in `courses.demo_content` (blank-line paragraphs, "- " and
"1. " lists, **bold**, *italic*). Each module body mirrors the English body exactly: same number
of items in the same order, same kinds, the same `key` for every quiz, reflection and H5P block,
and the same non-text values (correct answers, pass marks, required flags, callout kinds…).
Block ids are derived from positions and keys, so this is what lets a learner's progress carry
over between languages: when the English body changes shape, change this one the same way.

Writing in Spanish: plain, warm Spanish for volunteers in Latin America and Spain, addressing the
reader as "tú", gender-inclusive without slashes ("personas acompañantes", "personas formadoras",
"la persona coordinadora"), «» quotes as in the interface catalogue. To keep two different
actions apart, "reportar" is reporting to a platform and "denunciar" is going to the police or
the courts.
"""

INDEX = {
    "title": "Cursos",
    "intro": """
        Cursos para acompañantes entre pares que apoyan a personas que enfrentan acoso en línea
        y violencia de género. Algunos están abiertos: empiézalos el día en que te registras y
        avanza a tu ritmo. Otros se siguen con una cohorte, con sesiones en vivo y personas
        formadoras, y avanzas en los módulos entre una sesión y otra. Todos funcionan con una
        conexión lenta, y muchos te dejan leer su primer módulo antes de unirte.

        Cada curso te dice cuánto tiempo lleva, en qué idiomas está disponible y qué temas
        difíciles trata, para que puedas prepararte.
    """,
}

TOPICS = {
    "feminist-accompaniment": "Acompañamiento feminista",
    "harassment-response": "Respuesta al acoso",
    "digital-security": "Seguridad digital",
    "care-for-carers": "Cuidado de quienes cuidan",
    "documentation": "Documentación",
}

HOW_TO_JOIN = """
    Este curso se sigue con una cohorte: aprendes junto a otras personas voluntarias y personas
    formadoras, con una sesión en vivo cada pocas semanas y los módulos entre una y otra. Si
    todavía ninguna cohorte te queda bien, la persona coordinadora de tu línea de ayuda puede
    decirte cuándo abre la próxima.
"""

HOW_TO_JOIN_SELF_PACED = """
    No necesitas una cohorte: tu progreso se guarda, así que puedes parar y volver otro día o
    desde otro dispositivo. Si prefieres aprenderlo con otras personas, también lo enseña una
    cohorte con sesiones en vivo.
"""


# === Curso 1: Acompañamiento feminista ===========================================================

WELCOME = {
    "title": "Te damos la bienvenida: qué significa acompañar",
    "summary": """
        Qué hace y qué no hace una persona acompañante, el enfoque feminista que sostiene este
        trabajo y cómo funciona el curso.
    """,
    "content_notes": "",
    "body": [
        ("heading", "Te damos la bienvenida"),
        (
            "text",
            """
            Gracias por estar aquí. Las personas que sufren acoso en línea suelen decir que lo
            peor fue sentirse solas. Nadie les creyó, o todo el mundo tenía consejos y nadie
            escuchaba. Como acompañante, tú puedes cambiar eso.

            Este curso te prepara para *acompañar* a alguien. Acompañar es caminar al lado de
            una persona durante una parte de su camino. No caminas delante de ella ni la llevas
            a cuestas. Ella sigue al mando de su propia vida y de sus propias decisiones. Tú
            aportas presencia, información y cuidado.
            """,
        ),
        ("heading", "Qué hace una persona acompañante"),
        (
            "text",
            """
            En las líneas de ayuda feministas y en las redes de apoyo entre pares de las
            comunidades en línea, quienes acompañan hacen cosas parecidas:

            - Escuchan a la persona y le creen.
            - La ayudan a entender lo que está pasando y qué opciones tiene.
            - La ayudan a documentar la violencia y a reportarla, si así lo quiere.
            - Ayudan con los primeros pasos de seguridad digital.
            - La ponen en contacto con otras ayudas: servicios especializados, asesoría legal,
              atención de salud y personas de confianza de su propio entorno.

            También haces algo menos visible: le recuerdas a la persona que lo que pasó no es
            su culpa, y que merece apoyo.
            """,
        ),
        ("heading", "Lo que una persona acompañante no hace"),
        (
            "text",
            """
            El acompañamiento entre pares es valioso precisamente porque es *entre pares*: una
            persona al lado de otra. No es terapia, ni asesoría legal, ni un servicio de
            emergencias. No se espera de ti que:

            - diagnostiques a nadie ni trates traumas;
            - le digas a alguien si tiene un caso ante la justicia, o qué dice la ley en su
              país;
            - investigues quién está detrás de un ataque, ni confrontes a quien causa el daño;
            - estés disponible a cualquier hora, ni lo resuelvas todo sin ayuda.

            Cuando alguien necesita más de lo que puedes darle, cuidar es ayudarle a llegar a
            las personas adecuadas. Conocer tus límites es una habilidad, no un
            fracaso. La practicarás en este curso.
            """,
        ),
        (
            "callout",
            {
                "kind": "important",
                "title": "Si alguien está en peligro ahora mismo",
                "text": """
                    Si una persona te dice que está en peligro ahora mismo, o que podría hacerse
                    daño, sigue el protocolo de emergencia de tu organización y avisa a la
                    persona coordinadora. El acompañamiento entre pares no sustituye a los
                    servicios de emergencia. Aprende el protocolo antes de tu primera
                    conversación de acompañamiento.
                """,
            },
        ),
        ("heading", "Un enfoque feminista"),
        (
            "text",
            """
            El acoso en línea no es aleatorio. Golpea con más fuerza a las mujeres, a las
            personas LGBTQIA+, a las personas racializadas y a cualquiera que hable en público
            sobre sus derechos. El acompañamiento feminista parte de este hecho. En la práctica
            significa:

            - **Creer** a las personas y tomar en serio su experiencia.
            - **Respetar la autonomía.** La persona decide qué pasa después, aunque tú
              decidirías otra cosa.
            - **Mirar el poder.** ¿A quién se daña, quién se beneficia y a quién se hace sentir
              vergüenza?
            - **Cuidar en colectivo.** Nadie debería cargar en soledad con este trabajo. Eso te
              incluye a ti.
            """,
        ),
        ("heading", "Cómo funciona este curso"),
        (
            "text",
            """
            El curso tiene cuatro módulos. Síguelos a tu ritmo, entre las sesiones en vivo de
            tu cohorte. Las páginas funcionan con una conexión lenta y tu progreso se guarda,
            así que puedes parar y volver otro día o desde otro dispositivo.

            La mayoría de los módulos termina con un cuestionario breve o una reflexión. Los
            cuestionarios te ayudan a comprobar lo que entendiste. La retroalimentación de cada
            respuesta explica el razonamiento, y puedes intentarlo de nuevo tantas veces como
            quieras. Las reflexiones son privadas: solo tú puedes leerlas, salvo que decidas
            compartir alguna con las personas formadoras.

            Este primer módulo no tiene actividades. Cuando lo hayas leído, elige «Marcar como
            hecho».
            """,
        ),
        (
            "callout",
            {
                "kind": "self_care",
                "title": "Cuídate mientras aprendes",
                "text": """
                    Algunos módulos hablan de violencia y de culpa. Empiezan con un aviso de
                    contenido, y puedes elegir «Ahora no» y volver más tarde: no se pierde nada.
                    Si un tema te trae a la mente experiencias propias, es normal. Tómate un
                    descanso, habla con alguien de confianza o cuéntaselo a una persona
                    formadora.
                """,
            },
        ),
    ],
}

LISTENING = {
    "title": "Escuchar sin juzgar",
    "summary": """
        Observar, escuchar, conectar: cómo abrir espacio a la historia de alguien, los hábitos
        de la escucha activa y lo que se interpone en ella.
    """,
    "content_notes": "",
    "body": [
        ("heading", "Por qué escuchar va primero"),
        (
            "text",
            """
            Cuando alguien pide ayuda después de sufrir acoso, a menudo llega con cansancio,
            miedo o rabia. Puede que ya haya contado su historia antes y no le hayan creído. Lo
            primero que necesita no es una solución. Es sentir que se le escucha.

            Los primeros auxilios psicológicos describen tres acciones sencillas: **observar,
            escuchar y conectar**.

            - **Observar**: comprueba la seguridad y las necesidades urgentes. ¿Está la persona
              a salvo ahora mismo? ¿Sigue ocurriendo la violencia?
            - **Escuchar**: abre espacio para que la persona cuente lo que pasó, a su manera y
              con sus propias palabras.
            - **Conectar**: ayúdale a llegar a información, ayuda práctica y otros servicios.

            Este módulo trata de la escucha. La conexión llega más adelante en el curso.
            """,
        ),
        ("heading", "Cómo escuchar bien"),
        (
            "text",
            """
            La escucha activa es un conjunto de pequeños hábitos. Ninguno es difícil, pero
            requieren práctica.

            - **Presta atención.** Cierra otros chats. Si acompañas por mensajes escritos,
              responde sin grandes demoras, y avisa si necesitas un momento.
            - **Haz preguntas abiertas.** «¿Qué pasó?» o «¿Cómo te sientes con esto?» invitan a
              contar. Las preguntas que empiezan con «por qué» pueden sonar a reproche, así que
              evítalas.
            - **Devuelve lo que oyes.** Di con tus palabras lo que escuchaste: «Entonces, los
              mensajes empezaron después de tu artículo, y ahora llegan todos los días». Así
              muestras que entendiste, y la persona puede corregirte.
            - **Nombra los sentimientos con suavidad.** «Suena agotador». Deja que la persona te
              diga si no acertaste.
            - **Permite el silencio.** En una llamada, una pausa puede significar que la
              persona está pensando o sintiendo. No tienes que llenarla.
            - **Usa sus palabras.** Si la persona dice «mi ex», no lo llames «tu agresor». Si
              ella no lo llama acoso, tú tampoco tienes por qué hacerlo. Cada persona nombra su
              experiencia a su propio tiempo.
            """,
        ),
        ("heading", "Lo que se interpone"),
        (
            "text",
            """
            Casi todas las personas aprendimos a ayudar arreglando cosas. En el acompañamiento,
            algunos instintos de ayuda pueden hacer daño:

            - **Correr a dar consejos.** «Bloquéalo y ya» puede ser lo correcto más adelante.
              Dicho demasiado pronto, le dice a la persona que no la estabas escuchando de
              verdad. Además, bloquear puede hacer desaparecer pruebas.
            - **Minimizar.** «Es solo internet» o «No les hagas caso» le dicen a la persona que
              su miedo no es real. La violencia en línea tiene efectos reales en la salud, el
              trabajo y la seguridad.
            - **Comparar.** «A mí también me pasó, y yo…» lleva la atención hacia ti. Comparte
              tu propia historia pocas veces, y solo cuando le sirva a la otra persona.
            - **Dudar.** Muchas preguntas sobre detalles pueden sentirse como un interrogatorio.
              Tu papel no es juzgar. No necesitas pruebas para creerle a alguien.
            - **Decidir por la otra persona.** Incluso con buena intención, tomar el mando
              repite lo que hace la violencia: quita el control.
            """,
        ),
        (
            "callout",
            {
                "kind": "tip",
                "title": "Frases que ayudan",
                "text": """
                    - «Gracias por contármelo».
                    - «Lo que sientes tiene sentido».
                    - «Esto no es tu culpa».
                    - «Tú decides qué pasa ahora. Yo puedo explicarte las opciones».
                    - «Tómate tu tiempo. Aquí estoy».
                """,
            },
        ),
        ("heading", "Respetar las decisiones"),
        (
            "text",
            """
            A veces una persona elegirá algo que tú no elegirías. Puede querer quedarse en una
            plataforma donde la atacan, no reportar, o seguir en contacto con alguien que le
            hizo daño. Tu papel es asegurarte de que tenga la información que necesita para
            decidir, y después respetar su decisión.

            Puedes compartir una preocupación con honestidad: «Me preocupa tu seguridad
            mientras tu dirección siga publicada. ¿Quieres que lo pensemos un momento?». Luego
            escucha la respuesta. Normalmente cada persona conoce su situación mejor que nadie.
            Puede tener razones que tú no ves. Y si las cosas cambian, puede volver a
            plantearlo contigo.
            """,
        ),
        ("heading", "Escuchar entre idiomas y culturas"),
        (
            "text",
            """
            Puede que acompañes a personas de otros países, o en un idioma que no es tu primera
            lengua. Comprueba el significado en lugar de suponerlo: «Cuando dices *ellos*, ¿te
            refieres al grupo del foro?». No des por sentado qué significan la familia, la
            religión o la comunidad para esa persona. Pregúntale cómo es el apoyo para ella.

            Si la comunicación en una lengua común no alcanza, dilo con amabilidad y pide a la
            persona coordinadora una persona acompañante que hable el idioma de quien busca
            apoyo.
            """,
        ),
        (
            "quiz",
            {
                "key": "quiz",
                "title": "Comprueba lo que entendiste",
                "introduction": """
                    Cuatro preguntas breves sobre la escucha. Lee la retroalimentación de cada
                    respuesta: explica el razonamiento. Puedes intentarlo de nuevo tantas veces
                    como quieras.
                """,
                "pass_mark": 75,
                "questions": [
                    {
                        "type": "single_choice",
                        "text": """
                            Una persona escribe: «Desde que mi publicación se hizo viral no paro
                            de recibir mensajes horribles. No sé qué hacer». ¿Cuál es la mejor
                            primera respuesta?
                        """,
                        "options": [
                            (
                                "Deberías bloquear a todas las cuentas que te los envían y "
                                "tomarte un descanso de las redes sociales.",
                                False,
                                """
                                Un consejo tan temprano puede hacer que la persona no se sienta
                                escuchada. Además, bloquear puede eliminar pruebas que quizá
                                quiera más adelante. Primero escucha; las opciones vienen
                                después.
                                """,
                            ),
                            (
                                "Suena realmente aterrador. Gracias por contármelo. ¿Me cuentas "
                                "un poco más sobre lo que está pasando?",
                                True,
                                """
                                Sí. Reconoces el sentimiento, das las gracias e invitas a la
                                persona a contar su historia con una pregunta abierta.
                                """,
                            ),
                            (
                                "¿Por qué publicaste algo tan personal en público?",
                                False,
                                """
                                Una pregunta con «por qué» sobre sus propios actos sugiere que
                                la persona causó la violencia. Quienes envían los mensajes son
                                responsables de ellos.
                                """,
                            ),
                            (
                                "No te preocupes, estas cosas suelen pasar en unos días.",
                                False,
                                """
                                No puedes saberlo, y minimiza lo que siente. Tranquilizar en
                                falso también puede hacer que la persona no pida ayuda más
                                adelante.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "multiple_choice",
                        "text": """
                            ¿Cuáles de estas cosas forman parte de la escucha activa?
                        """,
                        "options": [
                            (
                                "Decir con tus propias palabras lo que escuchaste",
                                True,
                                "Sí. Muestra que entendiste, y permite que la persona te corrija.",
                            ),
                            (
                                "Permitir el silencio cuando la persona necesita tiempo",
                                True,
                                "Sí. Una pausa da espacio para pensar y sentir. No necesitas "
                                "llenarla.",
                            ),
                            (
                                "Contar una historia parecida de tu propia vida, para que sienta "
                                "que no es la única persona a la que le pasa",
                                False,
                                """
                                Tu propia historia pone el foco en ti. Compártela pocas veces, y
                                solo cuando claramente le ayude.
                                """,
                            ),
                            (
                                "Usar las palabras que la persona usa para su propia experiencia",
                                True,
                                """
                                Sí. Cada persona nombra su experiencia a su propio tiempo. Usar
                                sus palabras muestra respeto.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "true_false",
                        "text": """
                            Para acompañar a alguien, primero necesitas tener la certeza de que
                            su historia es verdad.
                        """,
                        "answer": False,
                        "feedback_true": """
                            No exactamente. Tu papel no es juzgar ni investigar. El
                            acompañamiento empieza por creer a las personas. Si más adelante
                            hacen falta pruebas, para un reporte, puedes ayudar a reunirlas en
                            ese momento.
                        """,
                        "feedback_false": """
                            Así es. No necesitas pruebas para creerle a alguien. El
                            acompañamiento empieza por creer; la documentación es un paso
                            práctico aparte.
                        """,
                    },
                    {
                        "type": "single_choice",
                        "text": """
                            La mujer a la que acompañas decide no reportar una cuenta que la
                            acosa, aunque tú crees que reportarla ayudaría. ¿Qué haces?
                        """,
                        "options": [
                            (
                                "La reportas tú, ya que es por su bien.",
                                False,
                                """
                                Actuar sin su consentimiento le quita el control, que es también
                                lo que hace la violencia. Además, puede ponerla en riesgo si
                                quien la acosa se da cuenta.
                                """,
                            ),
                            (
                                "Compartes tu preocupación con honestidad, te aseguras de que "
                                "conoce las opciones y respetas su decisión.",
                                True,
                                """
                                Sí. Tú das información y tu opinión sincera; ella decide. Se
                                puede volver a hablar del tema más adelante si las cosas cambian.
                                """,
                            ),
                            (
                                "Le dices que no puedes acompañarla si no reporta.",
                                False,
                                """
                                El apoyo no debería depender de que haga lo que tú crees mejor.
                                Hay muchas razones para no reportar, entre ellas el miedo a las
                                represalias.
                                """,
                            ),
                        ],
                    },
                ],
            },
        ),
        (
            "reflection",
            {
                "key": "reflection",
                "prompt": """
                    Piensa en una vez en que le contaste un problema a alguien y sentiste que de
                    verdad te escuchaba. ¿Qué hizo esa persona, o qué no hizo? ¿Qué te gustaría
                    llevar de ese momento a tu trabajo de acompañamiento?
                """,
                "guidance": """
                    Esta reflexión es opcional. No hay una respuesta correcta, y bastan unas
                    pocas frases. Es privada, salvo que decidas compartirla con las personas
                    formadoras.
                """,
                "required": False,
            },
        ),
    ],
}

BLAME = {
    "title": "Desactivar la culpa",
    "summary": """
        Por qué se culpa tan a menudo a las personas que sufren acoso, cómo suena la
        culpabilización de la víctima y cómo quitarle a alguien el peso de la culpa sin
        discutir con lo que siente.
    """,
    "content_notes": """
        Este módulo trata de la culpabilización de la víctima y de la vergüenza después de la
        violencia en línea. Incluye ejemplos breves de comentarios culpabilizadores que reciben
        las personas, también sobre imágenes íntimas.
    """,
    "body": [
        ("heading", "De dónde viene la culpa"),
        (
            "text",
            """
            Después de sufrir violencia en línea, muchas personas se culpan a sí mismas. «No
            debí publicar eso». «Tenía que haber sabido que él compartiría las fotos». «Si no
            hubiera discutido con esa gente, esto no habría pasado».

            Otras personas también las culpan: la familia, colegas, la policía, a veces otras
            personas de su comunidad. La culpa es una de las partes más dolorosas de la
            experiencia. Puede impedir que la gente pida ayuda. Y aparta la atención de quien
            eligió causar daño.

            La culpa no sale de la nada. Muchas sociedades enseñan que las mujeres y las
            personas de género diverso son responsables de la violencia que sufren: por lo que
            llevaban puesto, por lo que dijeron, compartieron o creían. En internet, la misma
            idea aparece como «tú te expusiste» o «¿qué esperabas?».
            """,
        ),
        ("heading", "Cómo suena la culpabilización de la víctima"),
        (
            "text",
            """
            Culpar a la víctima no siempre es algo cruel o evidente. A menudo viene de personas
            que quieren ayudar. Puede sonar así:

            - «¿Por qué le mandaste esas fotos?»
            - «Quizá deberías dejar de escribir sobre temas tan polémicos».
            - «Si quieres estar en internet, tienes que tener la piel más dura».
            - «¿Por qué no lo reportaste antes?»
            - «Cierra tu cuenta y listo».

            Cada una de estas frases pone la responsabilidad en la persona que sufrió el daño.
            Cada una sugiere que, si se hubiera comportado de otra manera, estaría a salvo. Eso
            no es cierto. Se acosa a las personas por muchas razones, y la decisión de acosar
            es de quien acosa.
            """,
        ),
        (
            "callout",
            {
                "kind": "important",
                "title": "La responsabilidad está clara",
                "text": """
                    Quien acosa, amenaza o comparte imágenes sin consentimiento es responsable
                    de esa decisión. Compartir una imagen íntima con una pareja, hablar en
                    público o tener visibilidad en internet nunca es una invitación a la
                    violencia.
                """,
            },
        ),
        ("heading", "Desactivar la culpa en una conversación"),
        (
            "text",
            """
            No puedes quitar la vergüenza con una frase. Pero sí puedes dejar de sumarle peso,
            y ofrecer con suavidad otra manera de ver las cosas.

            1. **Date cuenta.** Presta atención a frases como «debí…», «es mi culpa», «qué
               tontería hice».
            2. **No discutas.** «¡No, eso no es así!» puede sentirse como que no estás
               escuchando. Primero reconoce el sentimiento.
            3. **Nombra a quien es responsable.** Di con claridad quién tomó la decisión de
               causar daño.
            4. **Normaliza la reacción.** Culparse es muy común después de la violencia. A
               menudo es una forma de buscar control en una situación que se vivió como fuera
               de control.
            5. **Pasa a lo que es posible ahora**, sin sugerir que debería haberlo hecho antes.

            Por ejemplo, una persona dice: «Qué estupidez la mía. Confié en él y le di esas
            fotos».

            Podrías responder: «Tiene sentido que te sientas así. Le pasa a mucha gente.
            Confiaste en alguien con quien tenías una relación, y él decidió romper esa
            confianza. El problema es lo que él hizo, no que tú confiaras en él. ¿Te ayudaría
            que veamos qué podemos hacer ahora con las imágenes?».
            """,
        ),
        ("heading", "Cuidar tus propias palabras"),
        (
            "text",
            """
            Todas las personas hemos aprendido algunas ideas culpabilizadoras. Pueden colarse en
            nuestras preguntas sin que nos demos cuenta. Algunos hábitos ayudan:

            - Pregunta «¿qué pasó?» en lugar de «¿por qué…?».
            - Cuando des consejos de seguridad, deja claro que hablan del futuro, no del pasado:
              «A algunas personas les sirve…» en lugar de «Deberías haber…».
            - Evita hablar de «conductas de riesgo». Habla de los riesgos que crean quienes
              causan daño.
            - Si notas que dijiste algo culpabilizador, repáralo con sencillez: «Perdona, me
              expresé mal. Esto no es tu culpa».
            """,
        ),
        ("heading", "Cuando la comunidad culpa"),
        (
            "text",
            """
            En las comunidades en línea, la culpa puede ser colectiva. Hay quien dice que la
            persona atacada «empezó», o que reportar el acoso es un «drama» que perjudica al
            proyecto. Esto aísla todavía más a la persona.

            No puedes controlar a la comunidad. Pero en tu acompañamiento puedes dejar claro
            que alzar la voz es legítimo. Y cuando veas un patrón de culpa, cuéntaselo a la
            persona coordinadora, para que quienes tienen ese rol puedan abordarlo.
            """,
        ),
        (
            "callout",
            {
                "kind": "self_care",
                "title": "Si esto te toca de cerca",
                "text": """
                    Leer sobre la culpa puede traerte momentos en que te culparon, o en que te
                    culpaste. Es una reacción normal. Haz una pausa si la necesitas. Puedes salir
                    de este módulo y volver más tarde; se guarda el punto donde te quedaste.
                """,
            },
        ),
        (
            "quiz",
            {
                "key": "quiz",
                "title": "Comprueba lo que entendiste",
                "introduction": "Tres preguntas sobre la culpa y cómo responder a ella.",
                "pass_mark": 60,
                "questions": [
                    {
                        "type": "multiple_choice",
                        "text": """
                            ¿Cuáles de estas frases ponen la responsabilidad en la persona que
                            sufrió el daño?
                        """,
                        "options": [
                            (
                                "«Si quieres estar en internet, necesitas la piel más dura».",
                                True,
                                """
                                Sí. Sugiere que el problema es la sensibilidad de la persona, no
                                la violencia.
                                """,
                            ),
                            (
                                "«¿Por qué no lo reportaste antes?»",
                                True,
                                """
                                Sí. Aunque se pregunte con amabilidad, sugiere que hizo algo
                                mal. Hay muchas buenas razones para esperar antes de reportar,
                                entre ellas el miedo y el agotamiento.
                                """,
                            ),
                            (
                                "«La persona que compartió tus fotos decidió romper tu confianza».",
                                False,
                                """
                                Esta no culpa. Nombra a quien es responsable del daño.
                                """,
                            ),
                            (
                                "«Quizá podrías dejar de escribir sobre esos temas por un tiempo».",
                                True,
                                """
                                Sí. Sugiere que hablar en público causó la violencia. Una
                                persona puede decidir dar un paso atrás, pero es su decisión, no
                                una condición para estar a salvo.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "single_choice",
                        "text": """
                            Alguien dice: «Es mi culpa. No debí discutir con esa gente en los
                            comentarios». ¿Cuál es la respuesta más útil?
                        """,
                        "options": [
                            (
                                "«Sí, discutir en internet nunca sirve. La próxima vez no les "
                                "hagas caso».",
                                False,
                                """
                                Esto confirma la culpa y da consejos sobre el pasado. La persona
                                ya se siente mal; esto lo empeora.
                                """,
                            ),
                            (
                                "«¡Eso no es verdad para nada, deja de decir eso!»",
                                False,
                                """
                                Tienes buena intención, pero discutir con un sentimiento puede
                                hacer que la persona sienta que no la escuchas. Primero reconoce
                                el sentimiento.
                                """,
                            ),
                            (
                                "«Mucha gente se siente así después de un ataque. No estar de "
                                "acuerdo con alguien no es motivo para sufrir violencia. Quienes "
                                "envían amenazas decidieron hacerlo».",
                                True,
                                """
                                Sí. Reconoces el sentimiento, dices que es frecuente y pones la
                                responsabilidad en quienes causan el daño.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "true_false",
                        "text": """
                            Si notas que dijiste algo que sonó culpabilizador, es mejor no
                            mencionarlo, para que la conversación no se vuelva incómoda.
                        """,
                        "answer": False,
                        "feedback_true": """
                            No exactamente. Una reparación breve y honesta, como «Perdona, me
                            expresé mal. Esto no es tu culpa», reconstruye la confianza. Si lo
                            dejas pasar, la persona puede quedarse con la culpa.
                        """,
                        "feedback_false": """
                            Así es. Reparar es sencillo y ayuda: «Perdona, me expresé mal. Esto
                            no es tu culpa». Todo el mundo se equivoca; lo importante es darse
                            cuenta.
                        """,
                    },
                ],
            },
        ),
        (
            "reflection",
            {
                "key": "reflection",
                "prompt": """
                    Piensa en una idea culpabilizadora sobre la violencia en línea que hayas
                    oído a menudo, o que alguna vez creíste. ¿De dónde crees que viene? ¿Cómo le
                    responderías ahora, de una forma amable con la persona que está sufriendo?
                """,
                "guidance": """
                    Trátate con amabilidad. Darse cuenta de estas ideas es parte del trabajo,
                    para todas las personas. Tu reflexión es privada, salvo que decidas
                    compartirla.
                """,
                "required": True,
            },
        ),
    ],
}

BOUNDARIES = {
    "title": "Límites y alcance del acompañamiento entre pares",
    "summary": """
        Límites de tiempo, de rol y de confidencialidad, qué hacer en una emergencia y cómo
        derivar a alguien con cuidado.
    """,
    "content_notes": """
        Este módulo menciona emergencias, incluido el riesgo de que alguien se haga daño, en
        términos generales.
    """,
    "body": [
        ("heading", "Los límites son una forma de cuidado"),
        (
            "text",
            """
            Los límites son lo que hace que el acompañamiento sea seguro y sostenible. Protegen
            a la persona que acompañas, que sabe qué puede esperar y qué no. Te protegen a ti,
            para que puedas seguir haciendo este trabajo sin quemarte. Y protegen la confianza
            que las líneas de ayuda y las redes han construido durante años.

            Los límites no son frialdad. Un «Puedo hablar hasta las seis y después tengo que
            parar» dicho con claridad cuida más que una promesa de estar siempre que no vas a
            poder cumplir.
            """,
        ),
        ("heading", "Tiempo y disponibilidad"),
        (
            "text",
            """
            - Di al principio cuándo y cómo estás disponible.
            - Usa los canales que ofrece tu organización. No des tu número de teléfono personal
              ni tus cuentas personales de redes sociales.
            - Si necesitas terminar una conversación, avísalo antes del final: «Nos quedan unos
              diez minutos. ¿Qué sería lo más útil revisar?».
            - Cuéntale a la persona qué pasará después, y cómo comunicarse con la línea de ayuda
              o la red cuando tú no estés disponible.
            - Cuando te falte energía, tengas problemas de salud o estés pasando por algo
              difícil, pon tu disponibilidad «en pausa». Otra persona puede ayudar.
            """,
        ),
        ("heading", "Tu rol"),
        (
            "text",
            """
            Recuerda lo que no es el acompañamiento entre pares: terapia, asesoría legal,
            investigación ni atención de emergencias. Algunas peticiones quedarán fuera de tu
            rol:

            - «¿Me puedes decir si puedo demandarlos?». Puedes ayudar a encontrar asesoría
              legal, pero no das asesoría legal.
            - «¿Puedes averiguar quién está detrás de esta cuenta?». Investigar o exponer a
              personas puede poner en riesgo a todo el mundo, y puede ser ilegal. Llévalo a la
              persona coordinadora.
            - «Por favor, no se lo digas a nadie, pero ya no quiero seguir viviendo». Esto
              requiere el protocolo de emergencia de tu organización, ahora.

            Decir «eso no es algo que yo pueda hacer, pero te digo quién sí puede» mantiene a
            la persona conectada con la ayuda.
            """,
        ),
        (
            "callout",
            {
                "kind": "important",
                "title": "Emergencias",
                "text": """
                    Si alguien está en peligro inmediato, o te dice que podría hacerse daño, no
                    lo afrontes sin ayuda. Sigue el protocolo de emergencia de tu organización,
                    quédate con la persona si puedes y avisa a la persona coordinadora. Conoce el
                    protocolo antes de tu primera conversación de acompañamiento.
                """,
            },
        ),
        ("heading", "La confidencialidad y sus límites"),
        (
            "text",
            """
            Las personas te cuentan cosas que quizá no le han contado a nadie. Protege esa
            confianza:

            - Comparte información de un caso solo con las personas de tu organización que la
              necesitan, y solo por los canales que usa tu organización.
            - Nunca hables de casos en redes sociales públicas, en canales de la comunidad ni
              con tus amistades. Incluso sin nombres, los detalles pueden identificar a
              alguien.
            - No guardes capturas de pantalla ni notas de un caso en tus dispositivos
              personales, salvo que tu organización haya acordado cómo guardarlas de forma
              segura.
            - Habla con honestidad, desde el principio, de los límites de la confidencialidad.
              Por ejemplo, tu organización puede llamar a los servicios de emergencia si la
              vida de alguien corre peligro. Dilo con sencillez, antes de que la persona te lo
              cuente todo.
            """,
        ),
        ("heading", "Derivar"),
        (
            "text",
            """
            Derivar no es «pasar a alguien de mano en mano». Bien hecho, es un traspaso cálido.
            La persona sabe por qué le sugieres otro servicio, qué pasará allí y que puede
            volver contigo.

            - **Explica por qué**: «Lo que me cuentas necesita a alguien que conozca las leyes
              de tu país».
            - **Pide consentimiento** antes de compartir cualquier información suya.
            - **Da información concreta**: a quién acudir, cómo contactar y qué esperar.
            - **Haz seguimiento**, si la práctica de tu organización lo permite: «¿Pudiste
              comunicarte con el servicio?».

            Las derivaciones más comunes son a servicios especializados en planes de seguridad,
            asesoría legal, apoyo psicológico, atención de salud y servicios de emergencia. Tu
            organización tiene una lista de contactos de confianza. Apréndela, y avisa a la
            persona coordinadora cuando un contacto ya no funcione.
            """,
        ),
        (
            "callout",
            {
                "kind": "self_care",
                "title": "Tus propios límites también importan",
                "text": """
                    Fíjate en cuándo un caso se queda contigo después de que termina la
                    conversación. Es una señal para hablar con una persona formadora o con tu
                    grupo de pares, no una señal de debilidad. El curso «Trauma secundario y
                    cuidados» profundiza en esto.
                """,
            },
        ),
        (
            "quiz",
            {
                "key": "quiz",
                "title": "Los límites en la práctica",
                "introduction": "Tres situaciones. Elige qué harías.",
                "pass_mark": 60,
                "questions": [
                    {
                        "type": "single_choice",
                        "text": """
                            Una mujer a la que acompañas te pide tu número de teléfono personal
                            para poder escribirte por la noche. ¿Qué haces?
                        """,
                        "options": [
                            (
                                "Se lo das: está pasando un momento difícil y te necesita.",
                                False,
                                """
                                Tu cuidado es real, pero un número personal desdibuja tu rol y
                                no es sostenible. Además puede exponerte: las personas
                                acompañantes también son blanco de ataques.
                                """,
                            ),
                            (
                                "Le explicas con amabilidad que no puedes, le dices cómo y "
                                "cuándo comunicarse con la línea de ayuda, y compruebas si "
                                "cuenta con otro apoyo para la noche.",
                                True,
                                """
                                Sí. Mantienes el límite y aun así te aseguras de que sepa dónde
                                hay ayuda. Si corre riesgo por la noche, involucra a la persona
                                coordinadora o a servicios especializados.
                                """,
                            ),
                            (
                                "No respondes a la pregunta y cambias de tema.",
                                False,
                                """
                                Evitar la pregunta puede sentirse como un rechazo. Una
                                explicación clara y amable es más respetuosa.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "multiple_choice",
                        "text": """
                            ¿Cuáles de estas son razones para derivar a alguien?
                        """,
                        "options": [
                            (
                                "Quiere saber si puede emprender acciones legales.",
                                True,
                                """
                                Sí. Las preguntas legales necesitan a alguien que conozca las
                                leyes del lugar donde vive la persona.
                                """,
                            ),
                            (
                                "Te dice que está pensando en quitarse la vida.",
                                True,
                                """
                                Sí, y con urgencia: sigue tu protocolo de emergencia e involucra
                                a la persona coordinadora.
                                """,
                            ),
                            (
                                "Llora durante la conversación.",
                                False,
                                """
                                Llorar es una reacción normal ante una situación difícil. Por sí
                                solo no significa que alguien necesite otro servicio. Sigue
                                presente.
                                """,
                            ),
                            (
                                "Necesita un plan de seguridad porque quien la acosa sabe dónde "
                                "vive.",
                                True,
                                """
                                Sí. La planificación de la seguridad cuando hay un riesgo físico
                                corresponde a especialistas que la hacen todos los días.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "true_false",
                        "text": """
                            Prometer que guardarás en secreto todo lo que una persona te cuente,
                            en cualquier situación, es lo más respetuoso.
                        """,
                        "answer": False,
                        "feedback_true": """
                            No exactamente. La confidencialidad es esencial, pero tiene límites,
                            por ejemplo cuando una vida está en riesgo. Explicar esos límites al
                            principio es más honesto que prometer un secreto absoluto.
                        """,
                        "feedback_false": """
                            Así es. La confidencialidad importa mucho, pero tiene límites.
                            Explícalos con honestidad al principio, para que después nadie sienta
                            una traición.
                        """,
                    },
                ],
            },
        ),
        (
            "reflection",
            {
                "key": "reflection",
                "prompt": """
                    ¿Qué límite crees que te costará más mantener: el de tiempo, el de rol o el
                    de confidencialidad? ¿Qué podría ayudarte a mantenerlo?
                """,
                "guidance": """
                    Piensa en una situación concreta. Puede ayudarte escribir una frase que
                    podrías decir cuando llegue el momento.
                """,
                "required": True,
            },
        ),
    ],
}

PRACTICE = {
    "title": "Práctica: ejercicios interactivos",
    "summary": """
        Dos ejercicios interactivos breves, para ver cómo funcionan las actividades H5P en un
        módulo: tus respuestas cuentan para completarlo, y puedes retomarlos donde los dejaste.
    """,
    "content_notes": "",
    "body": [
        ("heading", "Ejercicios interactivos"),
        (
            "text",
            """
            Las personas formadoras pueden crear ejercicios con H5P, una herramienta libre para
            contenido interactivo: preguntas sobre situaciones, arrastrar palabras, series de
            preguntas. Este módulo muestra dos ejercicios de ejemplo. No tratan sobre
            acompañamiento; muestran cómo se comportan aquí los ejercicios.

            - Tus respuestas se envían con tu cuenta. Si se corta la conexión, esperan en este
              dispositivo y se envían cuando vuelve.
            - Si dejas un ejercicio a medias, la próxima vez se abre donde lo dejaste.
            """,
        ),
        (
            "callout",
            {
                "kind": "tip",
                "title": "Cómo cuentan estos ejercicios",
                "text": """
                    La pregunta de verdadero o falso cuenta cuando la respondes. La serie de
                    preguntas cuenta cuando llegas a su pantalla de resultados, no después de
                    cada pregunta.
                """,
            },
        ),
        ("h5p", {"key": "true-false", "required": True}),
        ("h5p", {"key": "question-set", "required": True}),
    ],
}

FEMINIST_ACCOMPANIMENT = {
    "title": "Acompañamiento feminista",
    "summary": """
        Las bases del acompañamiento entre pares: escuchar sin juzgar, quitarle el peso de la
        culpa a la persona que sufrió el daño y mantener límites claros, para que puedas
        acompañar bien a otras personas durante mucho tiempo.
    """,
    "learning_outcomes": [
        "Describir qué hace una persona acompañante y qué queda fuera de su rol.",
        "Escuchar a alguien sin juzgar, sin prisas y sin decidir en su lugar.",
        "Reconocer la culpabilización de la víctima, también en tus propias palabras, y "
        "responder a ella.",
        "Poner y explicar límites de tiempo, de rol y de confidencialidad.",
        "Derivar a alguien con cuidado cuando sus necesidades van más allá del acompañamiento "
        "entre pares.",
    ],
    "content_notes": """
        Este curso habla de la violencia de género y de la violencia en línea en términos
        generales, y también de la culpa y la vergüenza. Incluye ejemplos breves de lo que se
        les dice a las personas que sufren acoso. No describe la violencia en detalle.
    """,
    "how_to_join": HOW_TO_JOIN,
    "modules": {
        "welcome": WELCOME,
        "listening-without-judgement": LISTENING,
        "defusing-blame": BLAME,
        "boundaries-and-limits": BOUNDARIES,
        "practice-with-interactive-exercises": PRACTICE,
    },
}


# === Curso 2: Trauma secundario y cuidados =======================================================

WHAT_IT_DOES = {
    "title": "Cómo nos afecta acompañar",
    "summary": """
        El estrés traumático secundario, el trauma vicario, la fatiga por compasión y el
        burnout en palabras sencillas, y por qué el trabajo frente al acoso en línea los hace
        más probables.
    """,
    "content_notes": """
        Este módulo trata de los efectos emocionales de escuchar una y otra vez relatos de
        violencia y abuso, y de mirar contenido violento.
    """,
    "body": [
        ("heading", "Escuchar deja huella"),
        (
            "text",
            """
            Cuando acompañas a personas que enfrentan violencia, escuchas sobre amenazas,
            humillaciones y miedo. Ves capturas de pantalla de mensajes de odio. A veces los
            lees muchas veces, para documentarlos. Aunque nada de eso iba dirigido a ti, te
            afecta.

            No es señal de que te falte fortaleza. Es una respuesta humana normal a estar cerca
            del dolor de otras personas. A todas las personas que hacen este trabajo les afecta
            de alguna manera. Saberlo de antemano te ayuda a notarlo pronto, y a cuidarlo en
            compañía.
            """,
        ),
        ("heading", "Algunas palabras, en términos sencillos"),
        (
            "text",
            """
            Hay distintas palabras para las distintas maneras en que este trabajo puede
            afectarnos. No necesitas usarlas con precisión clínica. Sirven para nombrar lo que
            notas.

            - **Estrés traumático secundario**: reacciones parecidas a las del trauma, causadas
              por escuchar o ver el trauma de otras personas. Por ejemplo, imágenes de un caso
              que vuelven cuando no quieres, o sentirte en alerta todo el tiempo.
            - **Trauma vicario**: un cambio más lento en tu forma de ver el mundo, después de
              una exposición repetida. Por ejemplo, empezar a sentir que nadie está a salvo en
              internet, o perder la confianza en la gente.
            - **Fatiga por compasión**: sentir agotamiento emocional de tanto cuidar, y menos
              capacidad de sentir empatía.
            - **Burnout o desgaste**: un agotamiento que viene de la carga de trabajo y de sus
              condiciones: demasiados casos, muy poco apoyo, roles poco claros. El burnout
              tiene tanto que ver con cómo se organiza el trabajo como con la persona.

            A menudo se superponen. La etiqueta importa menos que notar los cambios y responder
            a ellos.
            """,
        ),
        ("heading", "Por qué el trabajo frente al acoso en línea es diferente"),
        (
            "text",
            """
            Algunas características de este trabajo hacen más probable el trauma secundario:

            - **El contenido es duro y repetitivo.** Documentar la violencia significa leer,
              guardar y describir contenido dañino, a veces cientos de mensajes.
            - **Los ataques pueden seguir.** La persona que acompañas puede recibir nuevos
              ataques mientras hablas con ella. No hay un final claro.
            - **Está cerca de casa.** Muchas personas acompañantes pertenecen a las mismas
              comunidades que las personas a las que acompañan. Puede que conozcas a la gente
              implicada, o que tú también seas blanco de ataques.
            - **Usas las mismas herramientas.** El teléfono y las aplicaciones donde ves la
              violencia son los mismos que usas en tu vida. Cuesta dejar el trabajo atrás.
            - **Los resultados son inciertos.** Puede que las plataformas no actúen. Puede que
              la justicia no llegue. Sentir impotencia pesa.
            """,
        ),
        (
            "callout",
            {
                "kind": "tip",
                "title": "Menos exposición mientras documentas",
                "text": """
                    - Mira las imágenes dañinas solo el tiempo necesario. Si tus herramientas lo
                      permiten, desenfócalas o redúcelas mientras trabajas.
                    - Trabaja con las pruebas en bloques de tiempo planificados, no en la cama
                      ni tarde por la noche.
                    - Desactiva las notificaciones de los canales de casos fuera de tu horario.
                    - Cuando puedas, comparte con otra persona del equipo el trabajo pesado de
                      documentación.
                """,
            },
        ),
        ("heading", "No es solo algo personal"),
        (
            "text",
            """
            Las organizaciones feministas llevan mucho tiempo diciendo que el cuidado es
            político. Si una línea de ayuda o una red pide a sus personas voluntarias que
            carguen con casos sin límite y sin espacios de descarga, el burnout es el resultado
            esperable, no un fracaso personal. Las buenas organizaciones se anticipan al trauma
            secundario: limitan la cantidad de casos, ofrecen supervisión, hacen que hacer una
            pausa sea normal y preguntan a las personas voluntarias cómo están.

            En este curso miras los dos lados: lo que puedes hacer por ti y lo que hacemos en
            colectivo.
            """,
        ),
        (
            "callout",
            {
                "kind": "self_care",
                "title": "Respira",
                "text": """
                    Si te reconociste en este módulo, no eres la única persona. Muchas personas
                    acompañantes con experiencia conocen bien estas reacciones. Haz una pausa
                    breve antes del cuestionario: ponte de pie, toma un poco de agua, mira por
                    una ventana.
                """,
            },
        ),
        (
            "quiz",
            {
                "key": "quiz",
                "title": "Comprueba lo que entendiste",
                "introduction": "Tres preguntas sobre cómo puede afectarnos este trabajo.",
                "pass_mark": 60,
                "questions": [
                    {
                        "type": "single_choice",
                        "text": "¿Qué descripción corresponde mejor al trauma vicario?",
                        "options": [
                            (
                                "Sentir cansancio después de un largo día de acompañamiento.",
                                False,
                                """
                                El cansancio después de un trabajo duro es normal, y se pasa
                                descansando. El trauma vicario es un cambio más profundo y
                                lento.
                                """,
                            ),
                            (
                                "Un cambio lento en tu forma de ver el mundo, como perder la "
                                "confianza en la gente, después de una exposición repetida al "
                                "trauma de otras personas.",
                                True,
                                """
                                Sí. El trauma vicario se acumula con el tiempo y cambia lo que
                                crees sobre la seguridad, la confianza y el mundo.
                                """,
                            ),
                            (
                                "Un agotamiento causado sobre todo por demasiados casos y roles "
                                "poco claros.",
                                False,
                                """
                                Eso describe el burnout, que está muy ligado a cómo se organiza
                                el trabajo.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "multiple_choice",
                        "text": """
                            ¿Qué características del trabajo frente al acoso en línea hacen más
                            probable el trauma secundario?
                        """,
                        "options": [
                            (
                                "Leer y guardar muchos mensajes dañinos para documentar la "
                                "violencia",
                                True,
                                "Sí. La exposición repetida a contenido violento es un factor "
                                "importante.",
                            ),
                            (
                                "Usar el mismo teléfono y las mismas aplicaciones para el trabajo "
                                "y para tu vida personal",
                                True,
                                "Sí. Hace más difícil separar el tiempo de trabajo del descanso.",
                            ),
                            (
                                "Trabajar con un límite claro de casos",
                                False,
                                """
                                Un límite claro de casos te protege. Es una protección, no un
                                riesgo.
                                """,
                            ),
                            (
                                "Ataques que continúan mientras acompañas a alguien",
                                True,
                                """
                                Sí. Cuando no hay un final claro, cuesta dejar de sentirse en
                                alerta.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "true_false",
                        "text": """
                            Si el trabajo te afecta emocionalmente, probablemente no es para ti
                            ser acompañante.
                        """,
                        "answer": False,
                        "feedback_true": """
                            No exactamente. Que te afecte es una respuesta humana normal, y a
                            todas las personas que hacen este trabajo les pasa de alguna manera.
                            La habilidad está en notarlo y responder con cuidado, junto con
                            otras personas.
                        """,
                        "feedback_false": """
                            Así es. Que te afecte es normal. Lo importante es notarlo pronto y
                            tener apoyo a tu alrededor.
                        """,
                    },
                ],
            },
        ),
    ],
}

RECOGNISING = {
    "title": "Reconocer el trauma secundario en ti",
    "summary": """
        Las primeras señales en tu cuerpo, tus sentimientos, tus pensamientos y tus relaciones;
        tu propia historia; y una breve revisión de cómo estás para usar después de cada
        conversación de acompañamiento.
    """,
    "content_notes": """
        Este módulo te pide pensar en cómo te afecta escuchar sobre violencia y abuso. Puede
        traerte a la mente experiencias propias, y menciona pensamientos de hacerse daño.
    """,
    "body": [
        ("heading", "Las señales adoptan muchas formas"),
        (
            "text",
            """
            El trauma secundario rara vez llega de golpe. Aparece en pequeños cambios que es
            fácil justificar: «es que tengo mucho trabajo», «todo el mundo está cansado».
            Aprender a reconocer tus primeras señales es una de las cosas que más te protegen.

            Las señales pueden aparecer en distintos ámbitos de la vida. No vas a tenerlas
            todas. Tener algunas no significa que algo esté mal en ti. Son avisos a los que
            conviene prestar atención.
            """,
        ),
        ("heading", "En tu cuerpo"),
        (
            "text",
            """
            - Dificultad para dormirte, o despertarte pensando en un caso.
            - Dolores de cabeza, hombros tensos, problemas de estómago.
            - Cansancio incluso después de descansar.
            - Sobresaltarte con facilidad, por ejemplo con el sonido de una notificación.
            """,
        ),
        ("heading", "En tus sentimientos y pensamientos"),
        (
            "text",
            """
            - Imágenes o palabras de un caso que vuelven cuando no quieres.
            - Sentir entumecimiento emocional, o más irritabilidad, tristeza o rabia de lo
              habitual.
            - Sentir que nadie está a salvo, o que internet es solo un lugar peligroso.
            - Sentir culpa cuando descansas, o sentir que nunca haces lo suficiente.
            - Pensar que solo tú puedes ayudar a una persona, y que todo depende de ti.
            """,
        ),
        ("heading", "En lo que haces y en tus relaciones"),
        (
            "text",
            """
            - Revisar todo el tiempo los mensajes de la línea de ayuda, también en tus días
              libres.
            - Evitar casos, o evitar el tema por completo.
            - Alejarte de tus amistades y tu familia, o sentir que no pueden entenderte.
            - Recurrir más de lo habitual al alcohol, la comida, las pantallas u otras cosas
              para desconectar.
            - Desconfiar mucho de la gente, o sentir mucha ansiedad por tu propia seguridad en
              línea.
            - Perder el interés por cosas que antes disfrutabas.
            """,
        ),
        (
            "callout",
            {
                "kind": "important",
                "title": "Cuándo pedir más ayuda",
                "text": """
                    Si estas señales duran semanas, empeoran o te complican la vida diaria, habla
                    con la persona coordinadora y piensa en buscar apoyo profesional. Si tienes
                    pensamientos de hacerte daño, comunícate ahora con los servicios de
                    emergencia o con una línea de crisis de tu país. Pedimos a las personas que
                    acompañamos que busquen ayuda; lo mismo vale para quienes acompañamos.
                """,
            },
        ),
        ("heading", "Tu propia historia"),
        (
            "text",
            """
            Muchas personas llegan a este trabajo porque vivieron violencia, o porque vieron a
            alguien cercano pasar por ella. Esa experiencia puede ser fuente de una empatía
            profunda. También puede significar que algunos casos toquen heridas antiguas.

            No necesitas compartir tu historia con nadie. Pero te ayuda saber, para ti, qué
            situaciones te resultan difíciles. Así puedes prepararte, pedir a otra persona del
            equipo que tome ciertos casos o planificar un cuidado extra después. Decir «no soy
            la persona adecuada para este caso» es una decisión responsable.
            """,
        ),
        ("heading", "Una breve revisión de cómo estás"),
        (
            "text",
            """
            Al final de cada turno o conversación de acompañamiento, dedica un momento a ver
            cómo estás. Pregúntate:

            1. ¿Cómo siento mi cuerpo ahora mismo?
            2. ¿Cuál es el sentimiento más fuerte que tengo?
            3. ¿Hay alguna parte de esta conversación que se queda conmigo?
            4. ¿Qué necesito antes de seguir con mi día?

            Responde con honestidad, sin juzgarte. Con el tiempo verás patrones. Algunas
            personas escriben unas palabras en un cuaderno; otras eligen un color, o un número
            del 1 al 10. Usa lo que te funcione.
            """,
        ),
        (
            "callout",
            {
                "kind": "self_care",
                "title": "Trátate con amabilidad",
                "text": """
                    Leer una lista de señales puede resultar incómodo, sobre todo si reconoces
                    muchas. Es información útil, no un veredicto. Llévala a alguien de confianza
                    o a tu grupo de pares.
                """,
            },
        ),
        (
            "reflection",
            {
                "key": "reflection",
                "prompt": """
                    ¿Cuáles son dos o tres primeras señales que te indican que el acompañamiento
                    empieza a afectarte? Piensa en tu cuerpo, en tus sentimientos y en lo que
                    haces. ¿A quién podrías contárselo cuando las notes?
                """,
                "guidance": """
                    Esto es privado. No necesitas escribir sobre ningún caso ni sobre tu propia
                    historia, salvo que quieras. Nombrar tus señales ahora hace que sea más fácil
                    notarlas más adelante.
                """,
                "required": True,
            },
        ),
        (
            "quiz",
            {
                "key": "quiz",
                "title": "Comprueba lo que entendiste",
                "introduction": "Tres preguntas sobre cómo notar las señales y actuar.",
                "pass_mark": 60,
                "questions": [
                    {
                        "type": "multiple_choice",
                        "text": """
                            ¿Cuáles de estas pueden ser señales de trauma secundario?
                        """,
                        "options": [
                            (
                                "Despertarte por la noche pensando en un caso",
                                True,
                                "Sí. Los problemas de sueño y los pensamientos no deseados son "
                                "señales frecuentes.",
                            ),
                            (
                                "Sentir culpa cada vez que descansas",
                                True,
                                """
                                Sí. Sentir que nunca haces lo suficiente es una señal frecuente,
                                y un riesgo de burnout.
                                """,
                            ),
                            (
                                "Revisar los mensajes de la línea de ayuda en tus días libres",
                                True,
                                """
                                Sí. No poder desconectar es un aviso al que conviene prestar
                                atención.
                                """,
                            ),
                            (
                                "Sentir tristeza después de una conversación difícil, y sentirte "
                                "mejor después de hablar con otra persona del equipo",
                                False,
                                """
                                Es una reacción sana: sentiste algo y usaste el apoyo que
                                tenías. Así es exactamente como debería funcionar.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "true_false",
                        "text": """
                            Pedir no tomar un caso porque toca tu propia experiencia de
                            violencia es una decisión responsable.
                        """,
                        "answer": True,
                        "feedback_true": """
                            Así es. Conocer tus límites te protege a ti y a la persona que
                            acompañas. Avisa a la persona coordinadora, para que el caso pase a
                            otra persona.
                        """,
                        "feedback_false": """
                            En realidad, es una decisión responsable. Saber qué casos te
                            resultan difíciles, y decirlo, te protege a ti y a la persona que
                            acompañas.
                        """,
                    },
                    {
                        "type": "single_choice",
                        "text": """
                            Desde hace tres semanas duermes mal y sientes entumecimiento
                            emocional después de los turnos de acompañamiento. ¿Cuál es el mejor
                            paso siguiente?
                        """,
                        "options": [
                            (
                                "Seguir adelante; se pasará cuando haya menos casos.",
                                False,
                                """
                                Esperar sin ayuda suele empeorar las cosas. Las señales que duran
                                semanas merecen atención ahora.
                                """,
                            ),
                            (
                                "Hablar con la persona coordinadora o con tu grupo de pares, "
                                "reducir o pausar tu disponibilidad, y pensar en buscar apoyo "
                                "profesional.",
                                True,
                                """
                                Sí. Las señales que persisten son un aviso para compartir el
                                peso, cambiar tu disponibilidad y buscar más apoyo.
                                """,
                            ),
                            (
                                "Tomar más casos, para acostumbrarte.",
                                False,
                                """
                                Exponerte más no te protege del trauma secundario. Normalmente
                                lo hace más profundo.
                                """,
                            ),
                        ],
                    },
                ],
            },
        ),
    ],
}

CARE_PRACTICES = {
    "title": "Prácticas de cuidado: individuales y colectivas",
    "summary": """
        Lo que puedes hacer antes, durante y después del acompañamiento, los rituales de cierre
        y las prácticas colectivas que hacen sostenible este trabajo: espacios de descarga,
        supervisión entre pares, carga de casos compartida y permiso para hacer una pausa.
    """,
    "content_notes": "",
    "body": [
        ("heading", "El cuidado es parte del trabajo"),
        (
            "text",
            """
            El cuidado no es un premio para cuando el trabajo está hecho. Es parte de hacerlo
            bien. Una persona acompañante que descansa y tiene apoyo escucha mejor, comete
            menos errores y puede seguir durante más tiempo.

            El cuidado tiene dos caras. El **cuidado individual** es lo que haces por ti. El
            **cuidado colectivo** es lo que hacemos unas personas por otras, y cómo se organiza
            el trabajo en la organización. Los dos son necesarios. El cuidado individual por sí
            solo no puede arreglar una situación con demasiados casos y sin apoyo.
            """,
        ),
        ("heading", "Antes de una conversación de acompañamiento"),
        (
            "text",
            """
            - Mira cómo estás: ¿tengo energía para esto hoy? Si no, está bien decirlo.
            - Prepara tu espacio: un lugar tranquilo, agua y la información que puedas
              necesitar.
            - Conoce tu protocolo de emergencia y tu lista de derivación, para no cargar con la
              preocupación de no saber.
            - Fija una hora para terminar, y planea algo para después.
            """,
        ),
        ("heading", "Durante"),
        (
            "text",
            """
            - Fíjate en tu respiración y en tu cuerpo. Apoya los pies en el suelo. Baja el
              ritmo.
            - No necesitas leer completo cada mensaje violento. Toma lo que necesitas para la
              tarea.
            - Si sientes que te desborda, haz una pausa breve: «Dame un momento para mirar esto
              con calma».
            """,
        ),
        ("heading", "Después: rituales de cierre"),
        (
            "text",
            """
            Un pequeño ritual ayuda a tu mente a entender que la conversación terminó. Por
            ejemplo:

            - Escribe tus notas del caso en el lugar acordado, y luego cierra la herramienta.
            - Lávate las manos o la cara, cámbiate de ropa o sal a tomar aire.
            - Mueve el cuerpo: estírate, camina, baila una canción.
            - Dite: «Hoy hice lo que pude. El resto no me toca cargarlo en soledad».

            Prueba distintas cosas y quédate con lo que funcione. Un ritual solo necesita un
            minuto o dos.
            """,
        ),
        ("heading", "Cuidado colectivo"),
        (
            "text",
            """
            El cuidado colectivo es lo que hace posible este trabajo a lo largo de los años.
            Algunas prácticas comunes en las líneas de ayuda y en las redes de apoyo entre pares
            son:

            - **Espacios de descarga**: una conversación breve con otra persona del equipo o con
              una persona formadora después de un caso difícil. El foco está en cómo estás y
              qué necesitas, no en juzgar lo que hiciste.
            - **Supervisión entre pares**: reuniones periódicas donde las personas acompañantes
              hablan de casos sin datos que identifiquen a nadie, comparten dudas y aprenden
              unas de otras.
            - **Carga de casos compartida**: nadie carga en soledad con un caso difícil. Las
              tareas pesadas, como documentar un ataque grande, se pueden repartir.
            - **Permiso para hacer una pausa**: poner tu disponibilidad «en pausa» es normal y
              se respeta, por una semana o por meses.
            - **Preguntar cómo estamos**: la coordinación pregunta a las personas voluntarias
              cómo están, no solo cuántos casos cerraron.
            - **Proteger a quienes acompañan**: no se nombra en público a las personas
              voluntarias, y la organización tiene un plan para cuando alguien que acompaña es
              blanco de ataques.
            """,
        ),
        (
            "callout",
            {
                "kind": "tip",
                "title": "Cómo pedir un espacio de descarga",
                "text": """
                    Hazlo simple: «Hoy tuve una conversación difícil. ¿Tienes quince minutos
                    para hablar?». No necesitas esperar a una crisis. Pedirlo pronto es una
                    habilidad, y ayuda a que otras personas sientan que también pueden pedirlo.
                """,
            },
        ),
        ("heading", "Descanso y alegría"),
        (
            "text",
            """
            Descansar no es pereza. Muchas activistas feministas dicen que el descanso y la
            alegría son una forma de resistencia, porque la violencia intenta quitárnoslos.
            Protege tu tiempo lejos de las pantallas. Sigue haciendo las cosas que te recuerdan
            quién eres más allá de este trabajo: amistades, música, cocina, naturaleza, fe,
            arte. No son extras. Son aquello a lo que vuelves.
            """,
        ),
        (
            "callout",
            {
                "kind": "self_care",
                "title": "Empieza por poco",
                "text": """
                    No necesitas una rutina perfecta. Elige una cosa que harás después de tu
                    próxima conversación de acompañamiento, y una persona a la que puedas llamar
                    si resulta difícil.
                """,
            },
        ),
        (
            "reflection",
            {
                "key": "reflection",
                "prompt": """
                    Escribe un breve plan de cuidado para ti. ¿Qué harás antes, durante y
                    después del acompañamiento? ¿Quiénes forman parte de tu cuidado colectivo:
                    personas con quienes puedes hablar después de un caso difícil, y personas
                    fuera de este trabajo que te ayudan a descansar?
                """,
                "guidance": """
                    Que sea realista: las acciones pequeñas y concretas funcionan mejor que las
                    grandes promesas. Puedes volver y cambiarlo cuando quieras. Es privado,
                    salvo que decidas compartirlo con las personas formadoras.
                """,
                "required": True,
            },
        ),
        (
            "quiz",
            {
                "key": "quiz",
                "title": "Comprueba lo que entendiste",
                "introduction": "Tres preguntas sobre prácticas de cuidado.",
                "pass_mark": 60,
                "questions": [
                    {
                        "type": "single_choice",
                        "text": """
                            ¿Cuál es el propósito principal de un espacio de descarga después de
                            un caso difícil?
                        """,
                        "options": [
                            (
                                "Comprobar si seguiste el protocolo correctamente.",
                                False,
                                """
                                Revisar la práctica tiene su lugar, en la supervisión. Un
                                espacio de descarga trata primero de cómo estás y qué
                                necesitas.
                                """,
                            ),
                            (
                                "Soltar parte del peso del caso, con apoyo, y ver qué necesitas "
                                "ahora.",
                                True,
                                """
                                Sí. Un espacio de descarga te ayuda a procesar lo que
                                escuchaste, para no cargarlo en soledad.
                                """,
                            ),
                            (
                                "Contar todos los detalles del caso, para que otras personas "
                                "sepan lo que pasó.",
                                False,
                                """
                                Comparte solo lo necesario, sin datos que identifiquen a nadie.
                                El foco está en ti, no en la historia.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "multiple_choice",
                        "text": """
                            ¿Cuáles de estos son ejemplos de cuidado colectivo?
                        """,
                        "options": [
                            (
                                "Reuniones periódicas de supervisión entre pares",
                                True,
                                "Sí. Las personas acompañantes aprenden y comparten el peso, "
                                "en grupo.",
                            ),
                            (
                                "Dos personas acompañantes que se reparten la documentación de "
                                "un ataque grande",
                                True,
                                "Sí. Repartir las tareas pesadas reduce la exposición de cada "
                                "persona.",
                            ),
                            (
                                "Una persona coordinadora que pregunta a las personas "
                                "voluntarias cómo están, no solo cuántos casos cerraron",
                                True,
                                "Sí. Es cuidado integrado en la forma de funcionar de la "
                                "organización.",
                            ),
                            (
                                "Salir a caminar a solas después de un turno",
                                False,
                                """
                                Es una buena práctica de cuidado individual. Hacen falta los dos
                                tipos de cuidado.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "true_false",
                        "text": """
                            Si cada persona voluntaria se cuida bien, la organización no
                            necesita limitar la carga de casos.
                        """,
                        "answer": False,
                        "feedback_true": """
                            No exactamente. El cuidado individual no puede compensar demasiados
                            casos o muy poco apoyo. Las organizaciones son responsables de poner
                            límites y ofrecer supervisión.
                        """,
                        "feedback_false": """
                            Así es. El cuidado individual importa, pero el burnout suele tener
                            que ver con la carga de trabajo y el apoyo. Limitar los casos es
                            parte del cuidado colectivo.
                        """,
                    },
                ],
            },
        ),
    ],
}

GOING_FURTHER = {
    "title": "Para ir más allá: el cuidado como práctica compartida",
    "summary": """
        Una lectura opcional: ideas sobre el cuidado que vienen de los movimientos feministas,
        preguntas para llevar a tu equipo y cómo escribir en equipo un acuerdo de cuidados.
    """,
    "content_notes": "",
    "body": [
        (
            "callout",
            {
                "kind": "tip",
                "title": "Un módulo opcional",
                "text": """
                    Este módulo no cuenta para completar el curso. Léelo cuando tengas tiempo y
                    energía. La reflexión del final también es opcional. Si quieres, elige
                    «Marcar como hecho» cuando termines.
                """,
            },
        ),
        ("heading", "Ideas para explorar"),
        (
            "text",
            """
            Los movimientos feministas llevan mucho tiempo pensando en el cuidado. Estas son
            algunas ideas que puedes encontrar en lecturas y conversaciones:

            - **El cuidado es político.** Quién hace el trabajo de cuidados, y de quién se
              espera que lo haga gratis, depende del género, la raza y la clase. El
              acompañamiento voluntario es parte de esta historia. Valorarlo significa también
              preguntarse qué necesitan las personas voluntarias.
            - **Cuidado colectivo.** El bienestar no es solo una responsabilidad personal. Los
              grupos pueden crear rutinas, acuerdos y presupuestos que protejan a todas las
              personas.
            - **Activismo sostenible.** Los movimientos perduran cuando la gente puede
              permanecer en ellos durante años. El descanso, la rotación de roles y la
              celebración son parte de la estrategia.
            - **Cuidado digital.** Nuestros dispositivos cargan a la vez con el trabajo y con
              nuestra vida privada. Decidir cuándo y dónde se te puede contactar es una forma
              de cuidado, y de seguridad.

            No necesitas leer teoría para practicar nada de esto. Muchos equipos empiezan con
            un solo hábito, como una breve ronda de cómo está cada quien al inicio de cada
            reunión, y construyen a partir de ahí. Lo importante es que el cuidado se planifique
            y se comparta, y que no quede a cargo de cada persona por su cuenta.
            """,
        ),
        ("heading", "Preguntas para llevar a tu equipo"),
        (
            "text",
            """
            Puedes usar algunas de estas preguntas en una reunión de supervisión entre pares o
            en una llamada de equipo:

            1. ¿Cómo sabemos cuándo alguien del equipo tiene demasiada carga? ¿Qué hacemos
               entonces?
            2. ¿Cómo es para nuestro equipo un buen espacio de descarga? ¿Quién puede pedirlo,
               y cómo?
            3. ¿Cómo hacemos que sea normal hacer una pausa, sin culpa?
            4. ¿Qué hacemos si alguien del equipo es blanco de ataques por este trabajo?
            5. ¿Cómo celebramos lo que logramos, incluso cuando los resultados son inciertos?
            """,
        ),
        ("heading", "Un acuerdo de cuidados"),
        (
            "text",
            """
            Algunos equipos escriben en conjunto un breve acuerdo de cuidados. Puede decir:

            - cuántos casos lleva cada persona a la vez;
            - las horas en que no se espera que nadie responda mensajes;
            - cómo pedir un espacio de descarga, y quién puede ofrecerlo;
            - cómo traspasar un caso cuando alguien necesita una pausa;
            - qué hace el equipo cuando atacan en línea a una persona acompañante;
            - cada cuánto el equipo conversa sobre el bienestar.

            Un acuerdo de cuidados es un documento vivo. Revísalo cuando cambien el equipo o el
            trabajo. Escribirlo en conjunto importa tanto como lo que dice: convierte el
            cuidado en una responsabilidad compartida, no en una lucha privada.
            """,
        ),
        (
            "callout",
            {
                "kind": "tip",
                "title": "Háblalo en tu cohorte",
                "text": """
                    Si te gustaría explorar estas preguntas con otras personas, llévalas a una
                    sesión en vivo de tu cohorte. Las personas formadoras pueden abrirles un
                    espacio.
                """,
            },
        ),
        (
            "reflection",
            {
                "key": "reflection",
                "prompt": """
                    ¿Qué idea de este módulo te gustaría llevar a tu equipo o a tu cohorte? ¿Qué
                    pequeño paso podrías proponer?
                """,
                "guidance": "Opcional. Escribe tanto o tan poco como quieras.",
                "required": False,
            },
        ),
    ],
}

SECONDARY_TRAUMA = {
    "title": "Trauma secundario y cuidados",
    "summary": """
        Quienes acompañan a otras personas absorben parte de la violencia de la que oyen
        hablar. Aprende a reconocer el trauma secundario en ti y a construir prácticas de
        cuidado individuales y colectivas, para que acompañar a otras personas no te cueste tu
        propio bienestar.
    """,
    "learning_outcomes": [
        "Explicar con sencillez el trauma secundario, el trauma vicario, la fatiga por "
        "compasión y el burnout.",
        "Reconocer tus propias señales tempranas de trauma secundario.",
        "Hacer un plan de cuidado personal para antes, durante y después del acompañamiento.",
        "Participar en espacios de descarga y de supervisión entre pares, y pedir apoyo a tiempo.",
        "Explicar por qué el cuidado es una responsabilidad colectiva y de la organización.",
    ],
    "content_notes": """
        Este curso habla de los efectos emocionales de escuchar sobre violencia y abuso. No
        describe la violencia en detalle, pero puede traerte a la mente experiencias propias.
    """,
    "how_to_join": HOW_TO_JOIN_SELF_PACED,
    "modules": {
        "what-accompanying-does-to-us": WHAT_IT_DOES,
        "recognising-it-in-yourself": RECOGNISING,
        "care-practices": CARE_PRACTICES,
        "going-further": GOING_FURTHER,
    },
}


# === Curso 3: Responder al acoso en línea ========================================================

UNDERSTANDING = {
    "title": "Entender el acoso en línea",
    "summary": """
        Las formas más comunes de acoso en línea y de violencia de género facilitada por la
        tecnología, cómo entender la situación de alguien y las señales de mayor riesgo.
    """,
    "content_notes": """
        Este módulo describe formas de violencia en línea, entre ellas amenazas, doxxing, acecho
        y la difusión sin consentimiento de imágenes íntimas.
    """,
    "body": [
        ("heading", "Qué entendemos por acoso en línea"),
        (
            "text",
            """
            El acoso en línea es un comportamiento repetido o grave, a través de la tecnología
            digital, que busca asustar, avergonzar, silenciar o controlar a una persona. Cuando
            ataca a alguien por su género o su sexualidad, o usa el género para hacerle daño, lo
            llamamos **violencia de género facilitada por la tecnología**.

            No es «menos real» por ocurrir en internet. Afecta a la salud, el trabajo, las
            relaciones y la seguridad. A menudo continúa también fuera de internet. Y con
            frecuencia viene de personas que la persona conoce: una expareja, alguien del
            trabajo, alguien de su comunidad.
            """,
        ),
        ("heading", "Formas comunes"),
        (
            "text",
            """
            Te vas a encontrar con muchas de ellas. A menudo se dan varias a la vez.

            - **Amenazas** de violencia o de violencia sexual, o de hacer daño a la familia.
              Pueden ser directas o presentarse como «bromas».
            - **Mensajes abusivos y discurso de odio**: insultos y expresiones denigrantes, a
              menudo sobre el género, la sexualidad, la raza, la religión o la discapacidad.
            - **Ataques coordinados** (linchamientos digitales): muchas cuentas atacan a una
              persona a la vez, a veces organizadas desde otros espacios.
            - **Doxxing** (o doxeo): publicar información privada, como la dirección de casa,
              el número de teléfono o el lugar de trabajo, para exponer a la persona a un daño.
            - **Difusión sin consentimiento de imágenes íntimas**: compartir, o amenazar con
              compartir, fotos o videos íntimos sin consentimiento. Incluye imágenes que en un
              principio se compartieron con consentimiento, e imágenes falsas o manipuladas.
            - **Suplantación de identidad**: cuentas falsas a nombre de la persona, usadas para
              dañar su reputación o para escribir a gente que conoce.
            - **Acecho y vigilancia**: seguir de forma obsesiva la actividad de alguien, rastrear
              su ubicación, o entrar en sus cuentas o dispositivos sin consentimiento.
            - **Robo de cuentas**: que otra persona tome el control del correo electrónico o de
              las redes sociales de la persona.
            - **Sextorsión y chantaje**: exigir dinero, imágenes o contacto bajo amenaza.
            - **Reportes falsos masivos**: reportar muchas veces las cuentas de la persona para
              que las suspendan.
            """,
        ),
        ("heading", "Entender la situación completa"),
        (
            "text",
            """
            Cuando alguien llega buscando apoyo, intenta entender la situación, no solo el
            último mensaje. Algunas preguntas hechas con delicadeza pueden ayudar:

            - ¿Qué está pasando, y desde cuándo?
            - ¿Dónde está pasando: en qué plataformas, aplicaciones o espacios?
            - ¿Sabes o sospechas quién está detrás?
            - ¿Algo de esto ocurre también fuera de internet? ¿Saben dónde vives o trabajas?
            - ¿Qué has intentado ya? ¿Qué pasó entonces?
            - ¿Qué es lo que más te preocupa ahora mismo?

            Las respuestas ayudan, a ti y a la persona, a ver qué pasos tienen sentido
            primero. La última pregunta suele ser la más importante. Empieza por lo que más le
            preocupa a la persona.
            """,
        ),
        (
            "callout",
            {
                "kind": "important",
                "title": "Señales de mayor riesgo",
                "text": """
                    Algunas situaciones necesitan ayuda especializada con rapidez: amenazas que
                    incluyen la dirección de casa o planes concretos; una pareja o expareja con
                    antecedentes de violencia; señales de que se está rastreando la ubicación de
                    la persona; amenazas que involucran a menores de edad; o que la persona diga
                    que no se siente segura en casa. Sigue el protocolo de tu organización e
                    involucra a la persona coordinadora.
                """,
            },
        ),
        ("heading", "A quién se ataca, y por qué importa"),
        (
            "text",
            """
            El acoso no se reparte por igual. Las mujeres periodistas, activistas y políticas,
            las personas LGBTQIA+, las personas racializadas y quienes hablan de género reciben
            ataques con más frecuencia y más violencia. En las comunidades en línea, a menudo
            se ataca a quienes asumen roles visibles: quienes moderan, quienes escriben sobre
            ciertos temas, quienes señalan problemas.

            Esto importa para el acompañamiento. Puede que ataquen a la persona por quién es y
            por lo que hace. Seguir siendo visible suele ser parte de su trabajo o de su
            activismo. Nuestro objetivo es ayudarle a seguir con la mayor seguridad posible, no
            hacerla desaparecer.
            """,
        ),
        (
            "callout",
            {
                "kind": "self_care",
                "title": "Una lista pesada",
                "text": """
                    Leer todas estas formas de violencia juntas puede ser mucho. Haz una pausa
                    antes del cuestionario si la necesitas. Puedes salir del módulo y volver; se
                    guarda el punto donde te quedaste.
                """,
            },
        ),
        (
            "quiz",
            {
                "key": "quiz",
                "title": "Comprueba lo que entendiste",
                "introduction": "Cuatro preguntas sobre las formas de acoso y el riesgo.",
                "pass_mark": 75,
                "questions": [
                    {
                        "type": "single_choice",
                        "text": """
                            Alguien publica la dirección de casa de una mujer en un hilo de un
                            foro donde hay gente furiosa con ella. ¿Cómo se llama esto?
                        """,
                        "options": [
                            (
                                "Suplantación de identidad",
                                False,
                                """
                                La suplantación de identidad consiste en hacerse pasar por otra
                                persona, por ejemplo con una cuenta falsa.
                                """,
                            ),
                            (
                                "Doxxing (doxeo)",
                                True,
                                """
                                Sí. El doxxing es publicar información privada para exponer a
                                alguien a un daño. Una dirección de casa publicada puede ser una
                                señal de mayor riesgo.
                                """,
                            ),
                            (
                                "Reportes falsos masivos",
                                False,
                                """
                                Eso consiste en reportar muchas veces las cuentas de alguien
                                para que las suspendan.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "multiple_choice",
                        "text": """
                            ¿Cuáles de estas pueden ser señales de mayor riesgo que necesitan
                            ayuda especializada?
                        """,
                        "options": [
                            (
                                "Una amenaza que menciona la dirección de casa de la persona",
                                True,
                                "Sí. Una amenaza ligada a un lugar real puede significar "
                                "peligro físico.",
                            ),
                            (
                                "Una expareja con antecedentes de violencia está detrás de los "
                                "ataques",
                                True,
                                """
                                Sí. La violencia que viene de una pareja o expareja suele estar
                                ligada a riesgos fuera de internet.
                                """,
                            ),
                            (
                                "Muchos comentarios groseros bajo una publicación",
                                False,
                                """
                                Puede ser doloroso y agotador, y merece apoyo. Por sí solo, no
                                suele ser una señal de peligro físico.
                                """,
                            ),
                            (
                                "La persona cree que están rastreando su ubicación",
                                True,
                                "Sí. Un posible rastreo necesita ayuda especializada y cuidadosa.",
                            ),
                        ],
                    },
                    {
                        "type": "true_false",
                        "text": """
                            Compartir una imagen íntima sin consentimiento solo es violencia si
                            la imagen se tomó sin consentimiento.
                        """,
                        "answer": False,
                        "feedback_true": """
                            No exactamente. Consentir en tomar o enviar una imagen no es
                            consentir que se comparta. Compartirla sin consentimiento es
                            violencia, sin importar cómo se hizo la imagen. Las imágenes falsas
                            o manipuladas también cuentan.
                        """,
                        "feedback_false": """
                            Así es. Consentir en tomar o enviar una imagen no es consentir que se
                            comparta. Las imágenes falsas o manipuladas también cuentan.
                        """,
                    },
                    {
                        "type": "single_choice",
                        "text": """
                            Cuando alguien te habla por primera vez del acoso que sufre, ¿qué
                            pregunta es el punto de partida más útil?
                        """,
                        "options": [
                            (
                                "«¿Qué es lo que más te preocupa ahora mismo?»",
                                True,
                                """
                                Sí. Partir de la preocupación principal de la persona la pone al
                                mando, y ayuda a decidir qué hacer primero.
                                """,
                            ),
                            (
                                "«¿Intentaste borrar tu cuenta?»",
                                False,
                                """
                                Esto salta directo a una solución. Además, borrar una cuenta
                                puede borrar pruebas.
                                """,
                            ),
                            (
                                "«¿Qué publicaste que les molestó tanto?»",
                                False,
                                """
                                Esto pone el foco en la conducta de la persona, y puede
                                sentirse como una forma de culparla.
                                """,
                            ),
                        ],
                    },
                ],
            },
        ),
    ],
}

DOCUMENTING = {
    "title": "Documentar la violencia",
    "summary": """
        Por qué y cómo llevar un registro de la violencia: qué debe verse en las capturas de
        pantalla, cómo llevar un registro de incidentes, preservar las pruebas antes de
        bloquear o reportar, y guardarlas de forma segura.
    """,
    "content_notes": """
        Este módulo describe cómo guardar y registrar contenido violento, incluidas amenazas e
        imágenes íntimas, y habla del estrés de tener que mirarlo.
    """,
    "body": [
        ("heading", "Por qué importa documentar"),
        (
            "text",
            """
            Documentar significa llevar un registro claro de la violencia. Puede ayudar a la
            persona a:

            - reportar a las plataformas, que a menudo piden enlaces y capturas de pantalla;
            - escalar un reporte cuando el primero no funciona;
            - acudir a la policía o buscar asesoría legal, si así lo decide, ahora o más
              adelante;
            - ver patrones, por ejemplo que las mismas cuentas vuelven una y otra vez;
            - sentir menos confusión, porque la historia queda escrita en un solo lugar.

            Documentar es decisión de la persona. Hay quien no quiere guardar nada. Puedes
            explicarle por qué podría servirle más adelante, y respetar su decisión.
            """,
        ),
        (
            "callout",
            {
                "kind": "important",
                "title": "Preserva antes de bloquear o reportar",
                "text": """
                    Cuando se bloquea, se reporta o se elimina una cuenta, sus mensajes pueden
                    desaparecer, para la persona y para ti. Antes de bloquear, reportar, borrar
                    o silenciar, guarda lo necesario. Pero si la persona está en peligro, la
                    seguridad va primero: no retrases los pasos urgentes por documentar.
                """,
            },
        ),
        ("heading", "Qué guardar"),
        (
            "text",
            """
            Para cada incidente, intenta guardar:

            - **Capturas de pantalla** que muestren el contenido, el nombre de usuario, y la
              fecha y la hora. Incluye el contexto: el mensaje al que respondía, o la
              publicación debajo de la que apareció.
            - **La URL** (dirección web) de la publicación, del mensaje o del perfil. Las
              plataformas suelen pedirla; una captura de pantalla sola puede no ser suficiente.
            - **La cuenta**: su nombre de usuario y la URL del perfil, no solo el nombre
              visible, porque los nombres visibles pueden cambiar.
            - **La fecha y la hora** en que ocurrió, y la zona horaria.
            - **La plataforma**, y en qué parte: un comentario, un mensaje directo, un grupo.

            En las conversaciones largas, haz varias capturas que se solapen, para que no falte
            nada. Para videos o mensajes de voz, anota el enlace y describe brevemente lo que
            se dice. Algunas plataformas también permiten descargar una copia de los datos de
            la propia cuenta, lo que puede ser útil.
            """,
        ),
        ("heading", "Llevar un registro de incidentes"),
        (
            "text",
            """
            Un registro de incidentes es una tabla sencilla, en una hoja de cálculo o en un
            documento, con una fila por cada incidente. Algunas columnas útiles son:

            1. Fecha y hora, con la zona horaria
            2. Plataforma y lugar (por ejemplo, mensajes directos)
            3. Cuenta: nombre de usuario y URL del perfil
            4. Qué pasó, en pocas palabras neutras
            5. Enlace al contenido
            6. Nombre del archivo de la captura de pantalla
            7. Acciones realizadas: ¿se reportó? ¿número de reporte? ¿respuesta?

            Mantén las descripciones breves y objetivas. «Amenaza de publicar la dirección de
            casa» es suficiente. La persona no necesita escribir una y otra vez las peores
            palabras; la captura de pantalla ya las guarda.
            """,
        ),
        ("heading", "Imágenes íntimas"),
        (
            "text",
            """
            Ten mucho cuidado con las imágenes íntimas. No le pidas a la persona que te las
            envíe, y no guardes copias. En muchos lugares, guardar o compartir esas imágenes
            puede ser en sí mismo un delito, aunque el objetivo sea ayudar. En su lugar, anota
            el enlace, la cuenta y la fecha, y deja que la persona decida qué guarda.

            Muchas plataformas tienen formularios especiales para reportar imágenes íntimas. Si
            la persona que aparece en las imágenes es menor de 18 años, sigue de inmediato el
            protocolo de tu organización.
            """,
        ),
        ("heading", "Guardar las pruebas de forma segura"),
        (
            "text",
            """
            - Reúne los archivos en una sola carpeta, con nombres claros, por ejemplo la fecha y
              la plataforma.
            - Guárdalos donde la persona decida: en su propio dispositivo, en una cuenta en la
              nube protegida con autenticación en dos pasos, o con tu organización si tiene un
              proceso seguro para esto.
            - Guarda una copia de respaldo en un segundo lugar seguro.
            - No guardes pruebas en dispositivos o cuentas a los que pueda tener acceso quien
              causa el daño.
            - No edites las capturas originales. Si hay que ocultar algo antes de compartirlas,
              haz una copia y conserva el original.
            """,
        ),
        ("heading", "Repartir la carga"),
        (
            "text",
            """
            Leer la violencia una y otra vez duele. La persona no tiene por qué hacerlo sin
            ayuda. Con su consentimiento, una amistad de confianza o una persona acompañante
            puede hacer las capturas y llevar el registro, para que la persona no tenga que
            leer cada mensaje.

            Cuando hagas este trabajo, usa las prácticas de cuidado del curso sobre trauma
            secundario: planifica el tiempo, limita lo que miras y busca después un espacio de
            descarga.
            """,
        ),
        (
            "callout",
            {
                "kind": "self_care",
                "title": "Protégete mientras documentas",
                "text": """
                    No necesitas leer completo cada mensaje para documentarlo. Tómate descansos.
                    Para a una hora fijada de antemano. Si una imagen o un mensaje se queda
                    contigo, cuéntaselo a una persona formadora o a tu grupo de pares.
                """,
            },
        ),
        (
            "quiz",
            {
                "key": "quiz",
                "title": "Comprueba lo que entendiste",
                "introduction": "Cuatro preguntas sobre cómo documentar la violencia.",
                "pass_mark": 75,
                "questions": [
                    {
                        "type": "single_choice",
                        "text": """
                            Una mujer quiere bloquear una cuenta que le envía amenazas. No está
                            en peligro inmediato. ¿Qué debería pasar primero?
                        """,
                        "options": [
                            (
                                "Bloquear la cuenta de inmediato; las amenazas son demasiado "
                                "angustiantes para conservarlas.",
                                False,
                                """
                                Lo que siente importa, y podrá bloquearla pronto. Pero bloquear
                                primero puede hacer desaparecer los mensajes. Primero hay que
                                guardarlos; ofrécele ayuda para que no tenga que leerlos todos.
                                """,
                            ),
                            (
                                "Guardar capturas de pantalla con fecha, hora y contexto, y "
                                "anotar la URL del perfil de la cuenta y los enlaces a los "
                                "mensajes. Después, bloquear.",
                                True,
                                """
                                Sí. Primero preservar, después bloquear. Si ella lo prefiere,
                                alguien de su confianza puede documentar en su lugar.
                                """,
                            ),
                            (
                                "Responder a la cuenta pidiéndole que pare, para que quede "
                                "constancia de la petición.",
                                False,
                                """
                                Responder puede empeorar la violencia, y no hace falta para
                                documentar.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "multiple_choice",
                        "text": """
                            ¿Qué datos hacen que una captura de pantalla sea más útil como
                            prueba? Elige todas las que correspondan.
                        """,
                        "options": [
                            (
                                "El nombre de usuario de la cuenta",
                                True,
                                """
                                Sí. Los nombres visibles pueden cambiar; el nombre de usuario y
                                la URL del perfil identifican la cuenta.
                                """,
                            ),
                            (
                                "La fecha y la hora",
                                True,
                                """
                                Sí. Las plataformas y la asesoría legal necesitan saber cuándo
                                ocurrió. Anota también la zona horaria.
                                """,
                            ),
                            (
                                "El contexto, como la publicación a la que respondía",
                                True,
                                "Sí. El contexto muestra qué significa el mensaje y dónde "
                                "apareció.",
                            ),
                            (
                                "Tus propias notas dibujadas sobre la imagen",
                                False,
                                """
                                No edites el original. Si necesitas marcar u ocultar algo,
                                trabaja sobre una copia.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "true_false",
                        "text": """
                            Para ayudar con un reporte, deberías pedirle a la persona que te
                            envíe copias de las imágenes íntimas que se compartieron sin
                            consentimiento.
                        """,
                        "answer": False,
                        "feedback_true": """
                            No. No pidas ni guardes copias de imágenes íntimas. Guardarlas o
                            compartirlas puede ser un delito en muchos lugares, y puede causar
                            más daño. En su lugar, anota el enlace, la cuenta y la fecha.
                        """,
                        "feedback_false": """
                            Así es. En su lugar, anota el enlace, la cuenta y la fecha. No pidas
                            ni guardes copias de imágenes íntimas.
                        """,
                    },
                    {
                        "type": "single_choice",
                        "text": """
                            ¿Qué es lo mejor que se puede escribir en la columna «qué pasó» de
                            un registro de incidentes?
                        """,
                        "options": [
                            (
                                "Una copia completa de cada palabra violenta del mensaje",
                                False,
                                """
                                La captura de pantalla ya guarda las palabras. Escribirlas una y
                                otra vez suma daño.
                                """,
                            ),
                            (
                                "Unas pocas palabras neutras, como «Amenaza de publicar la "
                                "dirección de casa», con el nombre del archivo de la captura",
                                True,
                                """
                                Sí. Lo breve y objetivo es más fácil de leer para la persona,
                                para las plataformas y para la asesoría legal.
                                """,
                            ),
                            (
                                "Cómo se sintió la persona al leerlo",
                                False,
                                """
                                Los sentimientos importan mucho, y puedes hablar de ellos. Pero
                                el registro funciona mejor cuando se mantiene objetivo.
                                """,
                            ),
                        ],
                    },
                ],
            },
        ),
    ],
}

REPORTING = {
    "title": "Reportar y escalar a las plataformas",
    "summary": """
        Decidir en conjunto si reportar, cómo funcionan los reportes en las plataformas, cómo
        escribir un reporte que quien lo revisa entienda y qué hacer cuando se rechaza un
        reporte.
    """,
    "content_notes": """
        Este módulo menciona amenazas, doxxing e imágenes íntimas como ejemplos de contenido que
        se puede reportar.
    """,
    "body": [
        ("heading", "La persona decide"),
        (
            "text",
            """
            Reportar puede lograr que se elimine contenido y se suspendan cuentas. También
            puede costar energía, traer decepciones y, a veces, provocar más violencia si quien
            acosa se da cuenta. Antes de reportar, habla con la persona sobre:

            - qué espera que pase;
            - qué podría pasar, incluidos retrasos o un rechazo;
            - si reportar podría empeorar las cosas para ella;
            - si quiere que tú, u otra persona, le ayude con los formularios.

            Después, sigue su decisión.
            """,
        ),
        ("heading", "Cómo funcionan los reportes en las plataformas"),
        (
            "text",
            """
            La mayoría de las plataformas tienen una opción para reportar cada publicación,
            mensaje y perfil. Los reportes se revisan según las propias reglas de la
            plataforma, que suelen llamarse normas comunitarias o condiciones del servicio, no
            según la ley. Quien revisa puede ser una persona o un sistema automatizado. A
            menudo solo ve el elemento reportado, sin contexto, y puede que no hable el idioma
            de la persona.

            Muchas plataformas tienen formularios especiales para algunos tipos de violencia:
            imágenes íntimas compartidas sin consentimiento, suplantación de identidad,
            información privada (doxxing) o amenazas. Estos formularios suelen ser más rápidos y
            funcionar mejor que el botón general para reportar. Las comunidades en línea también
            pueden tener sus propios procesos, como escribir a las personas administradoras o a
            un equipo de confianza y seguridad.
            """,
        ),
        ("heading", "Escribir un reporte que funcione"),
        (
            "text",
            """
            Un buen reporte ayuda a quien lo revisa a entender rápido por qué el contenido
            incumple las reglas.

            - **Elige la categoría más específica.** «Amenaza de violencia» es mejor que «otro
              motivo».
            - **Nombra la regla.** Si puedes, menciona la política concreta que incumple el
              contenido.
            - **Da enlaces.** Incluye la URL de cada publicación y la del perfil.
            - **Explica el contexto en pocas frases breves.** Quien revisa puede no entender la
              jerga, las palabras en clave o la situación local. Por ejemplo: «Esta palabra es
              un insulto contra las mujeres en mi país». O: «Esta cuenta se creó ayer y usa mi
              nombre y mi foto».
            - **Muestra el patrón.** Si forma parte de una campaña, dilo: cuántas cuentas, desde
              cuándo.
            - **Lleva un registro.** Anota en el registro de incidentes la fecha, el número de
              reporte o la confirmación, y la respuesta.
            """,
        ),
        (
            "callout",
            {
                "kind": "tip",
                "title": "Quién envía el reporte",
                "text": """
                    Algunos formularios, como los de suplantación de identidad o de imágenes
                    íntimas, tiene que enviarlos la persona afectada, o piden una prueba de
                    identidad. Compruébalo antes de empezar, para que no le pidan lo mismo dos
                    veces a la persona.
                """,
            },
        ),
        ("heading", "Cuando reportar no funciona"),
        (
            "text",
            """
            A menudo la primera respuesta es «esto no infringe nuestras normas», o no llega
            ninguna respuesta. Es frustrante, pero no es el final. Algunas opciones:

            - **Apelar o pedir una revisión**, cuando la plataforma lo ofrece.
            - **Volver a reportar con mejor información**: una categoría más específica, un
              contexto más claro o varios elementos que muestren un patrón.
            - **Escalar por un canal de confianza.** Algunas líneas de ayuda y organizaciones de
              la sociedad civil tienen contactos directos con los equipos de confianza y
              seguridad de las plataformas, a veces llamados canales de socios de confianza o
              de alertadores fiables («trusted flaggers»). Pueden pedir que se vuelva a revisar
              un caso. En nuestra red, lo hacen personas designadas, siguiendo un protocolo.
              Como acompañante, tú preparas el caso: el registro de incidentes, los enlaces, las
              capturas de pantalla y un breve resumen. Después se lo pasas a la persona
              coordinadora.
            - **Procesos comunitarios**: en las comunidades en línea, las personas
              administradoras o los equipos de seguridad pueden actuar donde la plataforma no lo
              hace.

            Los canales para escalar casos son muy valiosos. Funcionan porque se usan para casos
            graves y bien documentados. Nunca compartas estos contactos fuera de la
            organización.
            """,
        ),
        ("heading", "Gestionar las expectativas"),
        (
            "text",
            """
            Habla con honestidad: las plataformas no siempre actúan, y cada una actúa a una
            velocidad distinta. No prometas un resultado. Celebra los resultados parciales,
            como una cuenta eliminada. Y recuérdale a la persona que un reporte rechazado no es
            un juicio sobre ella ni sobre lo que vivió. La violencia es real, aunque una
            plataforma no la vea.
            """,
        ),
        (
            "callout",
            {
                "kind": "self_care",
                "title": "La frustración se comparte",
                "text": """
                    Los reportes que no llegan a ningún lado también pueden hacer sentir
                    impotencia a quienes acompañan. Háblalo en tu grupo de pares. Los pequeños
                    logros cuentan, y también haber estado ahí para la persona.
                """,
            },
        ),
        (
            "quiz",
            {
                "key": "quiz",
                "title": "Comprueba lo que entendiste",
                "introduction": "Cuatro preguntas sobre cómo reportar y escalar.",
                "pass_mark": 75,
                "questions": [
                    {
                        "type": "multiple_choice",
                        "text": """
                            ¿Qué hace más eficaz un reporte a una plataforma? Elige todas las
                            que correspondan.
                        """,
                        "options": [
                            (
                                "Elegir la categoría más específica, como amenaza de violencia",
                                True,
                                "Sí. Así el reporte llega al proceso de revisión adecuado.",
                            ),
                            (
                                "Explicar en una frase breve la jerga local o las palabras en "
                                "clave",
                                True,
                                "Sí. Quien revisa puede no conocer el idioma o el contexto.",
                            ),
                            (
                                "Incluir los enlaces a las publicaciones y al perfil",
                                True,
                                """
                                Sí. Los enlaces permiten encontrar el contenido, aunque también
                                se adjunten capturas de pantalla.
                                """,
                            ),
                            (
                                "Escribir un mensaje largo sobre lo injusta que es la plataforma",
                                False,
                                """
                                La frustración es comprensible, pero la revisión se hace deprisa.
                                Los hechos breves y concretos funcionan mejor.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "single_choice",
                        "text": """
                            Una plataforma responde que una publicación amenazante «no infringe
                            nuestras normas». ¿Cuál es un buen paso siguiente?
                        """,
                        "options": [
                            (
                                "Decirle a la persona que no se puede hacer nada más.",
                                False,
                                """
                                Normalmente hay otras opciones: una apelación, un reporte mejor,
                                o escalar por un canal de confianza.
                                """,
                            ),
                            (
                                "Publicar el contenido y la respuesta de la plataforma en redes "
                                "sociales, para presionar a la plataforma.",
                                False,
                                """
                                Esto puede exponer a la persona a más violencia. Nunca debería
                                hacerse sin su consentimiento claro y un plan cuidadoso.
                                """,
                            ),
                            (
                                "Con el acuerdo de la persona, apelar o volver a reportar con un "
                                "contexto más claro; si es grave, preparar el caso para que la "
                                "persona coordinadora lo escale.",
                                True,
                                """
                                Sí. Una información mejor, o un canal de confianza para escalar,
                                a menudo cambia el resultado.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "true_false",
                        "text": """
                            Las plataformas revisan los reportes según sus propias reglas, que
                            no son lo mismo que la ley.
                        """,
                        "answer": True,
                        "feedback_true": """
                            Así es. Por eso ayuda nombrar la política de la plataforma, y por eso
                            las preguntas legales necesitan especialistas en derecho.
                        """,
                        "feedback_false": """
                            En realidad, es verdad. Las plataformas aplican sus propias normas
                            comunitarias o condiciones del servicio. Las preguntas legales
                            necesitan especialistas en derecho.
                        """,
                    },
                    {
                        "type": "single_choice",
                        "text": """
                            ¿Quién debería usar los contactos directos de la organización para
                            escalar casos a las plataformas?
                        """,
                        "options": [
                            (
                                "Cualquier persona acompañante, cada vez que se rechaza un "
                                "reporte.",
                                False,
                                """
                                Estos canales funcionan porque los usan con cuidado personas
                                designadas, para casos graves y bien documentados.
                                """,
                            ),
                            (
                                "Las personas designadas en la organización, siguiendo su "
                                "protocolo, con un caso bien documentado.",
                                True,
                                """
                                Sí. Tu parte como acompañante es preparar la documentación y
                                pasársela a la persona coordinadora.
                                """,
                            ),
                            (
                                "La persona que sufre el acoso, directamente.",
                                False,
                                """
                                Los contactos para escalar casos se comparten entre
                                organizaciones y plataformas desde la confianza; no son
                                públicos.
                                """,
                            ),
                        ],
                    },
                ],
            },
        ),
    ],
}

SECURITY_AND_REFERRAL = {
    "title": "Primeros pasos de seguridad digital y derivación",
    "summary": """
        Primeros pasos para proteger cuentas, privacidad y dispositivos, cuándo tener cuidado
        con los cambios, y cuándo y cómo derivar a la persona a especialistas.
    """,
    "content_notes": """
        Este módulo menciona el acecho, el software de vigilancia, el robo de cuentas, el
        doxxing y los riesgos para la seguridad física.
    """,
    "body": [
        ("heading", "Parte de la situación de la persona"),
        (
            "text",
            """
            La seguridad digital no es una única lista de reglas para todo el mundo. Depende de
            quién causa el daño, a qué tiene acceso y qué necesita la persona seguir haciendo
            en línea. Una periodista que debe seguir siendo pública necesita pasos distintos de
            los de alguien cuya expareja conocía todas sus contraseñas.

            Antes de sugerir cambios, pregunta: ¿Quién crees que está detrás de esto? ¿Pudo
            tener acceso a tu teléfono, a tu computadora o a tus cuentas? ¿Qué cuentas te
            importan más? Después, empieza con pasos pequeños que le devuelvan a la persona algo
            de control.
            """,
        ),
        (
            "callout",
            {
                "kind": "important",
                "title": "Cuidado si alguien puede estar vigilando",
                "text": """
                    Si quien causa el daño puede tener acceso a los dispositivos o a las cuentas
                    de la persona, por ejemplo una pareja o expareja, los cambios repentinos
                    pueden alertarle y aumentar el riesgo. No te apresures. Antes de cambiar
                    configuraciones o eliminar aplicaciones, deriva a especialistas en seguridad
                    digital y en planes de seguridad.
                """,
            },
        ),
        ("heading", "Proteger las cuentas"),
        (
            "text",
            """
            Estos pasos protegen contra la mayoría de los robos de cuentas. Repásalos con la
            persona, a su ritmo. Empieza por la cuenta más importante, que suele ser su correo
            electrónico, porque desde él se pueden restablecer las contraseñas de todas las
            demás.

            1. **Una contraseña fuerte y distinta para cada cuenta.** Un gestor de contraseñas
               las crea y las recuerda, así que la persona solo necesita recordar una frase de
               contraseña fuerte. Una frase de contraseña hecha de varias palabras al azar es
               más fácil de recordar que una contraseña corta y complicada.
            2. **Autenticación en dos pasos (2FA).** Un segundo paso al iniciar sesión, como un
               código de una aplicación o una llave de seguridad. Las aplicaciones y las llaves
               de seguridad son más seguras que los códigos por SMS, pero el SMS es mejor que
               nada. Hay que guardar los códigos de respaldo en un lugar seguro.
            3. **Revisa las sesiones y los dispositivos activos.** La mayoría de los servicios
               muestran dónde está abierta la cuenta. Cierra la sesión en cualquier dispositivo
               o lugar que la persona no reconozca.
            4. **Revisa las opciones de recuperación.** Asegúrate de que el correo y el número
               de teléfono de recuperación pertenezcan a la persona, y de que nadie más pueda
               usarlos.
            5. **Revisa las aplicaciones conectadas y el reenvío.** Quita las aplicaciones que
               la persona no usa, y comprueba que su correo no se reenvíe a una dirección
               desconocida.
            """,
        ),
        ("heading", "Configuración de privacidad y exposición"),
        (
            "text",
            """
            - Revisa quién puede ver las publicaciones, las listas de amistades, las fotos
              etiquetadas y los datos de contacto, y quién puede enviar mensajes.
            - Desactiva la ubicación en publicaciones y fotos, y revisa las aplicaciones que
              comparten la ubicación con otras personas.
            - Mira lo que es público en todas las cuentas en conjunto. Pequeños detalles en
              muchos lugares pueden revelar un domicilio, un lugar de trabajo o una rutina
              diaria.
            - Para reducir el riesgo de doxxing, la persona puede buscar su propio nombre, sus
              nombres de usuario y su número de teléfono, y pedir a los sitios web que eliminen
              su información personal cuando sea posible. Es más fácil hacerlo antes de un
              ataque que durante.
            - Los filtros y las opciones para silenciar pueden reducir lo que la persona tiene
              que ver, sin borrar pruebas.
            """,
        ),
        ("heading", "Dispositivos"),
        (
            "text",
            """
            Conviene mantener actualizados los teléfonos y las computadoras, usar un bloqueo de
            pantalla y eliminar las aplicaciones que la persona no reconozca.

            Si la persona cree que alguien instaló software de vigilancia (a veces llamado
            stalkerware), o que alguien tuvo acceso físico a su teléfono, es un caso para ayuda
            especializada. No se debe eliminar el software sin un plan: quien lo instaló podría
            darse cuenta, y además puede ser una prueba.
            """,
        ),
        ("heading", "Derivar"),
        (
            "text",
            """
            A menudo llegarás al límite de lo que puede hacer el acompañamiento entre pares. Es
            lo esperable. Deriva cuando:

            - hay un riesgo para la seguridad física, como una dirección publicada, amenazas
              detalladas o una pareja o expareja violenta. La **planificación de la
              seguridad** corresponde a especialistas.
            - la persona quiere conocer sus opciones legales, o ir a la policía: ponla en
              contacto con **asesoría legal**.
            - hay un peligro inmediato para la vida: **servicios de emergencia**, siguiendo el
              protocolo de tu organización.
            - puede haber software de vigilancia, un dispositivo comprometido o un robo de
              cuenta complejo: **ayuda especializada en seguridad digital**.
            - la persona lleva mucho tiempo desbordada, o habla de hacerse daño: **apoyo
              psicológico** o servicios de crisis.

            Usa la lista de derivación de tu organización. Pide el consentimiento de la persona
            antes de compartir nada. Prepara un breve resumen, para que no tenga que volver a
            contarlo todo. Y haz seguimiento, si tu práctica lo permite.
            """,
        ),
        (
            "callout",
            {
                "kind": "self_care",
                "title": "No necesitas saberlo todo",
                "text": """
                    La seguridad digital puede parecer interminable. No se espera de ti que
                    domines el tema. Conocer los primeros pasos, y saber a quién preguntar, es
                    suficiente. Ante la duda, pregunta a la persona coordinadora.
                """,
            },
        ),
        (
            "quiz",
            {
                "key": "quiz",
                "title": "Comprueba lo que entendiste",
                "introduction": "Cuatro preguntas sobre los primeros pasos y la derivación.",
                "pass_mark": 75,
                "questions": [
                    {
                        "type": "single_choice",
                        "text": "¿Qué cuenta suele ser la más importante de proteger primero?",
                        "options": [
                            (
                                "La cuenta principal de correo electrónico de la persona",
                                True,
                                """
                                Sí. Desde el correo se pueden restablecer las contraseñas de la
                                mayoría de las demás cuentas, así que protegerlo protege el
                                resto.
                                """,
                            ),
                            (
                                "La cuenta donde ocurre la mayor parte de la violencia",
                                False,
                                """
                                Importa, pero si el correo vinculado no es seguro, alguien puede
                                tomar el control restableciendo la contraseña.
                                """,
                            ),
                            (
                                "La cuenta más antigua que tiene la persona",
                                False,
                                """
                                Vale la pena cerrar o proteger más adelante las cuentas antiguas
                                que no se usan. Empieza por el correo, que puede restablecer las
                                demás.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "multiple_choice",
                        "text": """
                            ¿Qué pasos ayudan a evitar que alguien tome el control de una
                            cuenta? Elige todas las que correspondan.
                        """,
                        "options": [
                            (
                                "Activar la autenticación en dos pasos, idealmente con una "
                                "aplicación o una llave de seguridad",
                                True,
                                """
                                Sí. Un segundo paso al iniciar sesión detiene la mayoría de los
                                ataques que usan una contraseña robada.
                                """,
                            ),
                            (
                                "Revisar las sesiones activas y cerrar la sesión en dispositivos "
                                "desconocidos",
                                True,
                                "Sí. Así se puede cortar un acceso que alguien ya tiene.",
                            ),
                            (
                                "Usar la misma contraseña fuerte en todas partes, para "
                                "recordarla con facilidad",
                                False,
                                """
                                Si un servicio la filtra, todas las cuentas quedan en riesgo. Un
                                gestor de contraseñas hace fácil tener contraseñas distintas.
                                """,
                            ),
                            (
                                "Comprobar que el correo y el teléfono de recuperación "
                                "pertenecen a la persona",
                                True,
                                """
                                Sí. Quienes atacan a veces cambian las opciones de recuperación
                                para mantener el acceso.
                                """,
                            ),
                        ],
                    },
                    {
                        "type": "true_false",
                        "text": """
                            Si una persona sospecha que su expareja instaló software de
                            vigilancia en su teléfono, el mejor primer paso es borrar de
                            inmediato la aplicación sospechosa.
                        """,
                        "answer": False,
                        "feedback_true": """
                            No exactamente. Eliminarla puede alertar a quien la instaló y
                            aumentar el riesgo, y puede destruir pruebas. Esto necesita primero
                            ayuda especializada y un plan de seguridad.
                        """,
                        "feedback_false": """
                            Así es. Eliminarla de repente puede alertar a quien la instaló, y
                            destruir pruebas. Deriva a ayuda especializada para hacer un plan de
                            seguridad.
                        """,
                    },
                    {
                        "type": "single_choice",
                        "text": """
                            Una mujer te cuenta que su acosador publicó la dirección de su casa
                            y dice que le va a «hacer una visita». ¿Qué haces?
                        """,
                        "options": [
                            (
                                "La ayudas a cambiar su configuración de privacidad y después "
                                "cierras el caso.",
                                False,
                                """
                                La configuración de privacidad importa, pero una amenaza ligada
                                a su dirección significa un riesgo físico. Esto requiere un plan
                                de seguridad con especialistas.
                                """,
                            ),
                            (
                                "Sigues el protocolo de tu organización: involucras a la persona "
                                "coordinadora, la derivas a especialistas para hacer un plan de "
                                "seguridad, y a los servicios de emergencia si el peligro es "
                                "inmediato.",
                                True,
                                """
                                Sí. El riesgo físico va más allá del acompañamiento entre pares.
                                Quédate con ella mientras se encuentra la ayuda adecuada, y
                                ayúdala a documentar la amenaza.
                                """,
                            ),
                            (
                                "Le respondes al acosador y le dices que lo vas a denunciar a la "
                                "policía.",
                                False,
                                """
                                Contactar a quien acosa puede aumentar el riesgo para ella y
                                para ti. Nunca confrontes a quien causa el daño.
                                """,
                            ),
                        ],
                    },
                ],
            },
        ),
        (
            "reflection",
            {
                "key": "reflection",
                "prompt": """
                    Mira tus propias cuentas principales. ¿Qué pasos de este módulo ya diste?
                    ¿Cuál vas a dar esta semana? Practicar primero con tus propias cuentas hace
                    más fácil explicar los pasos a otras personas, y las personas acompañantes
                    también son a veces blanco de ataques.
                """,
                "guidance": """
                    No escribas aquí contraseñas ni datos privados. Basta con una lista breve de
                    pasos.
                """,
                "required": True,
            },
        ),
    ],
}

RESPONDING = {
    "title": "Responder al acoso en línea",
    "summary": """
        Pasos prácticos para acompañar a alguien que sufre acoso en línea: entender lo que está
        pasando, documentar la violencia, reportar y escalar a las plataformas, dar los primeros
        pasos de seguridad digital y derivar cuando la situación necesita especialistas.
    """,
    "learning_outcomes": [
        "Reconocer las formas comunes de acoso en línea y las señales de mayor riesgo.",
        "Ayudar a alguien a preservar y documentar la violencia antes de reportar o bloquear.",
        "Preparar reportes claros para las plataformas, y saber cuándo y cómo escalar.",
        "Guiar los primeros pasos de seguridad de las cuentas: contraseñas, 2FA, sesiones, "
        "configuración de privacidad.",
        "Reconocer cuándo una situación necesita especialistas, y derivar a la persona con "
        "cuidado.",
    ],
    "content_notes": """
        Este curso describe formas de violencia en línea, entre ellas amenazas, doxxing, acecho
        y la difusión sin consentimiento de imágenes íntimas. Los ejemplos son breves y no son
        explícitos.
    """,
    "how_to_join": HOW_TO_JOIN,
    "modules": {
        "understanding-online-harassment": UNDERSTANDING,
        "documenting-abuse": DOCUMENTING,
        "reporting-and-escalating": REPORTING,
        "digital-security-and-referral": SECURITY_AND_REFERRAL,
    },
}


COURSES = {
    "feminist-accompaniment": FEMINIST_ACCOMPANIMENT,
    "secondary-trauma-and-care": SECONDARY_TRAUMA,
    "responding-to-online-harassment": RESPONDING,
}

# The practice exercises in Spanish: each sample's words replaced (same structure as its
# content.json; a list gives the words of each item in order), uploaded as its own activity in
# Spanish; the Spanish copy of the practice module plays them.
_CONFIRM = {
    "confirmCheck": {
        "header": "¿Terminar?",
        "body": "¿Seguro que quieres terminar?",
        "cancelLabel": "Cancelar",
        "confirmLabel": "Terminar",
    },
    "confirmRetry": {
        "header": "¿Intentar de nuevo?",
        "body": "¿Seguro que quieres intentarlo de nuevo?",
        "cancelLabel": "Cancelar",
        "confirmLabel": "Confirmar",
    },
}
_CHOICE_UI = {
    "checkAnswerButton": "Comprobar",
    "showSolutionButton": "Ver la solución",
    "tryAgainButton": "Intentar de nuevo",
    "tipsLabel": "Ver una pista",
    "scoreBarLabel": "Obtuviste :num de :total puntos",
    "tipAvailable": "Hay una pista",
    "feedbackAvailable": "Hay un comentario",
    "readFeedback": "Leer el comentario",
    "wrongAnswer": "Respuesta incorrecta",
    "correctAnswer": "Respuesta correcta",
    "shouldCheck": "Había que marcarla",
    "shouldNotCheck": "No había que marcarla",
    "noInput": "Responde antes de ver la solución",
    "a11yCheck": (
        "Comprobar las respuestas. Se marcarán como correctas, incorrectas o sin responder."
    ),
    "a11yShowSolution": "Ver la solución. La tarea se marcará con su solución correcta.",
    "a11yRetry": "Intentar de nuevo. Se borran todas las respuestas y la tarea empieza otra vez.",
}


def _question(question: str, answers: list[str] | None = None) -> dict:
    params = {"question": question, "UI": _CHOICE_UI, **_CONFIRM}
    if answers is not None:
        params["answers"] = [{"text": text} for text in answers]
    return {"params": params}


H5P = {
    "true-false": {
        "title": "Práctica: verdadero o falso",
        "content": {
            "question": "<p>¿Esta frase es falsa?</p>\n",
            "l10n": {
                "trueText": "Verdadero",
                "falseText": "Falso",
                "score": "Obtuviste @score de @total puntos",
                "checkAnswer": "Comprobar",
                "showSolutionButton": "Ver la solución",
                "tryAgain": "Intentar de nuevo",
                "wrongAnswerMessage": "Respuesta incorrecta",
                "correctAnswerMessage": "Respuesta correcta",
                "scoreBarLabel": "Obtuviste :num de :total puntos",
            },
            **_CONFIRM,
        },
    },
    "question-set": {
        "title": "Práctica: cinco preguntas sobre números",
        "content": {
            "introPage": {
                "startButtonText": "Empezar",
                "title": "Cinco preguntas sobre números",
                "introduction": (
                    "<p>Un ejercicio de ejemplo: cinco preguntas de opción múltiple sobre números, "
                    "elegidas al azar. Muestra cómo funciona una serie de preguntas aquí; no trata "
                    "sobre el acompañamiento.</p>\n"
                ),
            },
            "endGame": {
                "noResultMessage": "Terminado",
                "message": "Tu resultado:",
                "scoreBarLabel": "Obtuviste @finals de @totals puntos",
                "solutionButtonText": "Ver la solución",
                "retryButtonText": "Intentar de nuevo",
                "finishButtonText": "Terminar",
                "submitButtonText": "Enviar",
                "skipButtonText": "Saltar el video",
            },
            "texts": {
                "prevButton": "Pregunta anterior",
                "nextButton": "Pregunta siguiente",
                "finishButton": "Terminar",
                "submitButton": "Enviar",
                "textualProgress": "Pregunta @current de @total",
                "jumpToQuestion": "Pregunta %d de %total",
                "questionLabel": "Pregunta",
                "readSpeakerProgress": "Pregunta @current de @total",
                "unansweredText": "Sin responder",
                "answeredText": "Respondida",
                "currentQuestionText": "Pregunta actual",
                "navigationLabel": "Preguntas",
            },
            "questions": [
                _question("¿Cuál de estas opciones es un número?"),
                _question("¿Cuál de estas opciones es una letra?"),
                _question("2 + 3 ="),
                _question(
                    "¿Qué afirmación es verdadera?",
                    [
                        "\\(\\sqrt{5}\\) es un número racional",
                        "\\(0\\) es un número positivo",
                        "\\(\\sqrt{3}\\) es un número real",
                        "\\(\\sqrt{4}\\) es un número irracional",
                    ],
                ),
                _question("La cifra de las décimas del número 7.654,321 es _____."),
                _question("(2)(-6) + (2 x 3) = ____."),
                _question("3 - 2 = _____."),
                _question(
                    "Jimmy tiene ₱10.000 en el banco. Si espera ganar ₱100 de intereses al cabo "
                    "de un año, ¿cuál es la tasa de interés anual?"
                ),
                _question("El máximo común divisor (MCD) de 21, 14 y 7 es _____."),
                _question(
                    "La propiedad de los números reales que describe (1 + 2) + 3 = 3 + (1 + 2) "
                    "es la _____.",
                    ["Conmutativa", "Asociativa", "Distributiva", "Reflexiva"],
                ),
            ],
        },
    },
}
