"""Brazilian Portuguese (pt-BR) translation of part of the demo courses in
`courses.demo_content`, as plain data: the course index, the topics, and the title, summary,
"how to join" and first module ("welcome") of the course "feminist-accompaniment". It has the
same shape as `courses.demo_content_es`; what is missing here stays in English.

Only the human text is here; everything else (slugs, times, flags…) comes from
`courses.demo_content`. The markup is the one described there, and the module body mirrors the
English body exactly (same items, order and kinds), because block ids are derived from
positions and keys: that is what lets a learner's progress carry over between languages.

Writing in Portuguese: plain, warm Brazilian Portuguese, addressing the reader as "você",
gender-inclusive without slashes ("pessoa acompanhante", "pessoas formadoras", "coordenação"),
with the words of the interface catalogue ("turma", "sessões ao vivo", "Marcar como feito").
"""

INDEX = {
    "title": "Cursos",
    "intro": """
        Cursos para pessoas acompanhantes que apoiam quem enfrenta assédio on-line e violência
        de gênero. Alguns são abertos: comece no dia em que criar sua conta e siga no seu ritmo.
        Outros são feitos com uma turma, com sessões ao vivo e pessoas formadoras, e você avança
        nos módulos entre uma sessão e outra. Todos funcionam com conexão lenta, e muitos deixam
        você ler o primeiro módulo antes de entrar.

        Cada curso informa quanto tempo leva, em quais idiomas está disponível e quais temas
        difíceis aborda, para que você possa se preparar.
    """,
}

HOW_TO_JOIN = """
    Este curso é feito com uma turma: você aprende com outras pessoas voluntárias e pessoas
    formadoras, com uma sessão ao vivo a cada poucas semanas e os módulos entre elas. Se
    nenhuma turma servir para você ainda, a coordenação da sua linha de apoio pode dizer quando
    abre a próxima.
"""

TOPICS = {
    "feminist-accompaniment": "Acompanhamento feminista",
    "harassment-response": "Resposta ao assédio",
    "digital-security": "Segurança digital",
    "care-for-carers": "Cuidado com quem cuida",
    "documentation": "Documentação",
}


WELCOME = {
    "title": "Boas-vindas: o que significa acompanhar",
    "summary": """
        O que uma pessoa acompanhante faz e o que não faz, a abordagem feminista por trás deste
        trabalho e como o curso funciona.
    """,
    "content_notes": "",
    "body": [
        ("heading", "Boas-vindas"),
        (
            "text",
            """
            Agradecemos por você estar aqui. Pessoas que sofrem assédio on-line costumam dizer
            que o pior foi se sentir sozinhas. Ninguém acreditou nelas, ou todo mundo tinha
            conselhos e ninguém escutava. Como pessoa acompanhante, você pode mudar isso.

            Este curso prepara você para *acompanhar* alguém. Acompanhar é caminhar ao lado de
            uma pessoa durante uma parte do caminho dela. Você não caminha na frente nem a
            carrega nas costas. Ela continua no comando da própria vida e das próprias escolhas.
            Você traz presença, informação e cuidado.
            """,
        ),
        ("heading", "O que faz uma pessoa acompanhante"),
        (
            "text",
            """
            Nas linhas de apoio feministas e nas redes de apoio entre pares das comunidades
            on-line, quem acompanha faz coisas parecidas:

            - Escuta a pessoa e acredita nela.
            - Ajuda a pessoa a entender o que está acontecendo e quais são as opções dela.
            - Ajuda a documentar a violência e a denunciá-la nas plataformas, se ela quiser.
            - Ajuda nos primeiros passos de segurança digital.
            - Conecta a pessoa a outros apoios: serviços especializados, orientação jurídica,
              atendimento de saúde e pessoas de confiança da vida dela.

            Você também faz algo menos visível: lembra à pessoa que o que aconteceu não é culpa
            dela, e que ela merece apoio.
            """,
        ),
        ("heading", "O que uma pessoa acompanhante não faz"),
        (
            "text",
            """
            O apoio entre pares tem valor justamente por ser *entre pares*: uma pessoa ao lado
            de outra. Não é terapia, nem orientação jurídica, nem serviço de emergência. Não se
            espera que você:

            - faça diagnósticos ou trate traumas;
            - diga a alguém se tem um caso na Justiça, ou o que diz a lei do país dessa pessoa;
            - investigue quem está por trás de um ataque, ou confronte quem causa o dano;
            - esteja disponível a qualquer hora, ou resolva tudo sem ajuda.

            Quando alguém precisa de mais do que você pode oferecer, o cuidado está em ajudar
            essa pessoa a chegar a quem pode ajudar. Conhecer seus limites é uma habilidade, não
            um fracasso. Você vai praticar isso neste curso.
            """,
        ),
        (
            "callout",
            {
                "kind": "important",
                "title": "Se alguém estiver em perigo agora",
                "text": """
                    Se uma pessoa disser que está em perigo agora, ou que pode se ferir, siga o
                    protocolo de emergência da sua organização e fale com a coordenação. O apoio
                    entre pares não substitui os serviços de emergência. Conheça o protocolo
                    antes da sua primeira conversa de acompanhamento.
                """,
            },
        ),
        ("heading", "Uma abordagem feminista"),
        (
            "text",
            """
            O assédio on-line não é aleatório. Ele atinge com mais força as mulheres, as pessoas
            LGBTQIA+, as pessoas negras e racializadas e qualquer pessoa que fale publicamente
            sobre seus direitos. O acompanhamento feminista parte desse fato. Na prática, isso
            significa:

            - **Acreditar** nas pessoas e levar a sério a experiência delas.
            - **Respeitar a autonomia.** A pessoa decide o que acontece depois, mesmo quando
              você decidiria de outro jeito.
            - **Olhar para o poder.** Quem sofre o dano, quem se beneficia e a quem se faz
              sentir vergonha?
            - **Cuidar coletivamente.** Ninguém deveria carregar este trabalho na solidão. Isso
              inclui você.
            """,
        ),
        ("heading", "Como este curso funciona"),
        (
            "text",
            """
            O curso tem quatro módulos. Siga no seu ritmo, entre as sessões ao vivo da sua
            turma. As páginas funcionam com conexão lenta e seu progresso fica salvo, então você
            pode parar e voltar em outro dia ou em outro dispositivo.

            A maioria dos módulos termina com um questionário curto ou uma reflexão. Os
            questionários ajudam você a verificar o que entendeu. O feedback de cada resposta
            explica o raciocínio, e você pode tentar de novo quantas vezes quiser. As reflexões
            são privadas: só você pode lê-las, a menos que escolha compartilhar alguma com as
            pessoas formadoras.

            Este primeiro módulo não tem atividades. Quando terminar a leitura, escolha
            “Marcar como feito”.
            """,
        ),
        (
            "callout",
            {
                "kind": "self_care",
                "title": "Cuide-se enquanto aprende",
                "text": """
                    Alguns módulos falam de violência e de culpa. Eles começam com um aviso de
                    conteúdo, e você pode escolher “Agora não” e voltar depois: nada se perde.
                    Se um tema trouxer à tona experiências suas, isso é normal. Faça uma pausa,
                    converse com alguém de confiança ou conte para uma pessoa formadora.
                """,
            },
        ),
    ],
}


COURSES = {
    "feminist-accompaniment": {
        "title": "Acompanhamento feminista",
        "summary": """
            As bases do apoio entre pares: escutar sem julgar, tirar o peso da culpa de quem
            sofreu a violência e manter limites claros, para que você possa apoiar outras
            pessoas bem e por muito tempo.
        """,
        "how_to_join": HOW_TO_JOIN,
        "modules": {"welcome": WELCOME},
    },
}
