def test_unknown_api_address_is_a_json_404(client):
    response = client.get("/api/v1/no-such-resource/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "Nie ma takiego adresu" in response.json()["detail"]
