"""Public guide pages are cached whole for anonymous visitors, and every change they show
makes the cached copies stale at once."""

from portal.offices.selectors import PLACE_COOKIE


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_a_second_anonymous_visit_is_served_from_the_cache(client, dibao):
    first = get(client, dibao.url)
    second = get(client, dibao.url)
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert first.content == second.content


def test_a_hit_costs_no_query(client, dibao, django_assert_num_queries):
    get(client, dibao.url)
    with django_assert_num_queries(0):
        get(client, dibao.url)


def test_publishing_the_item_makes_it_stale(client, dibao):
    get(client, dibao.url)
    dibao.summary = "新的说明。"
    dibao.save_revision().publish()
    response = get(client, dibao.url)
    assert response["X-Page-Cache"] == "miss"
    assert "新的说明。" in response.content.decode()


def test_a_new_delegation_shows_at_once(client, world, dibao, delegate):
    client.cookies[PLACE_COOKIE] = world.village_a1.code
    assert world.centre_a.name not in get(client, dibao.url).content.decode()
    delegate(dibao, [world.centre_a])
    assert world.centre_a.name in get(client, dibao.url).content.decode()


def test_an_assistants_new_phone_shows_at_once(client, world, dibao):
    client.cookies[PLACE_COOKIE] = world.village_a1.code
    get(client, dibao.url)
    world.assistant_a1.mobile = "13900009999"
    world.assistant_a1.save()
    assert "13900009999" in get(client, dibao.url).content.decode()


def test_each_village_and_language_has_its_own_copy(client, world, dibao):
    client.cookies[PLACE_COOKIE] = world.village_a1.code
    a1 = get(client, dibao.url).content.decode()
    client.cookies[PLACE_COOKIE] = world.village_b1.code
    b1 = get(client, dibao.url)
    assert (
        b1["X-Page-Cache"] == "miss"
        and world.village_b1.name in b1.content.decode()
        and a1 != b1.content.decode()
    )
    client.cookies["django_language"] = "en"
    assert get(client, dibao.url)["X-Page-Cache"] == "miss"


def test_staff_are_never_served_cached_pages(client, world, dibao):
    client.force_login(world.clerk_a)
    assert "X-Page-Cache" not in get(client, dibao.url)
    assert "X-Page-Cache" not in get(client, dibao.url)


def test_public_pages_carry_no_csrf_token(client, dibao):
    """A token would make every copy personal, and the preference forms do not need one."""
    assert "csrfmiddlewaretoken" not in get(client, dibao.url).content.decode()
    response = client.post("/display/elderly/", {"on": "1", "next": dibao.url})
    assert response.status_code == 302
    assert '<body class="elderly">' in get(client, dibao.url).content.decode()
